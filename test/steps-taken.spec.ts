// The executor's report of its steps: the -v lines, made only when shown, the plan's list, and --json's steps.
import { expect, it } from 'vitest';
import type { Logger } from '../src/report/logger.js';
import { announce, announceDone, describeSteps, takenJson } from '../src/report/steps-taken.js';
import type { Step } from '../src/plan/steps.js';

const steps = (...names: string[]): Step[] => names.map((name) => ({ name, copies: [['file']], bytes: 0 }));
function logger(chatty = true) {
  const lines: string[] = [];
  const log = { chatty, detail: (m: string) => lines.push(m) } as unknown as Logger;
  return { log, lines };
}

it('shows a step with its number and copies, and one done before the plan with its time', () => {
  const { log, lines } = logger();
  announceDone(log, { name: 'read', ms: 12 }, 0, 2);
  announce(log, steps('b')[0], 1, 2);
  expect(lines).toEqual(['step 1/2: read: done, before the plan (12 ms)', 'step 2/2: b; copies meanwhile: FILE']);
});

it('makes no line when nothing is shown (-q, --json)', () => {
  const { log, lines } = logger(false);
  announce(log, steps('a')[0], 0, 1);
  expect(lines).toEqual([]);
});

it('gives each step taken its listed copies and its time, for --json', () =>
  expect(takenJson(steps('a', 'b'), [{ name: 'b', ms: 3, at: 1 }])).toEqual([{ name: 'b', copies: ['file'], ms: 3 }]));

it('shortens a long list, keeping its start and end', () => {
  const lines = describeSteps(steps(...Array.from({ length: 100 }, (_, i) => `s${i}`)), 10);
  expect(lines).toHaveLength(11);
  expect(lines[4]).toBe('  ... 90 more steps (--json lists every one) ...');
  expect(lines.at(-1)).toBe('  100. s99 [FILE]');
});
