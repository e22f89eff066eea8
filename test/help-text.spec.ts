// helpAfter: the examples aligned in one column, and one line per exit code, taken from the one mapping in errors.ts.
import { expect, it } from 'vitest';
import { EXIT } from '../src/errors.js';
import { EXAMPLES, EXIT_CODES, helpAfter } from '../src/cli/help-text.js';

it('lists every exit code of errors.ts, in order', () => expect(EXIT_CODES.map((e) => e.code)).toEqual(Object.values(EXIT).sort()));

it('aligns what each example does in one column', () => {
  const lines = helpAfter().split('\n').filter((l) => EXAMPLES.some((e) => l.startsWith(`  ${e.command} `)));
  expect(lines).toHaveLength(EXAMPLES.length);
  const columns = new Set(lines.map((l, i) => l.indexOf(EXAMPLES[i].does)));
  expect(columns.size).toBe(1);
});

it('runs only cmemgzip in its examples', () => EXAMPLES.forEach((e) => expect(e.command).toMatch(/^cmemgzip /)));
