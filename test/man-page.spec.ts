// manPage: every option --help shows, the prose sections, roff escaping, and a page that groff and mandoc read without a warning.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { commandLine } from '../src/cli/program.js';
import { EXAMPLES } from '../src/cli/help-text.js';
import { manPage, optionTerm, roff } from '../src/docs/man-page.js';
import { warnSkip } from './e2e/helpers.js';

const page = manPage(commandLine(), '1.2.3', '2026-01-02');
const program = commandLine();
const help = program.createHelp();

it('opens with the title line: name, section, date, version', () => expect(page.split('\n')[0]).toBe('.TH CMEMGZIP 1 2026-01-02 "cmemgzip 1.2.3" "User Commands"'));

it('has the sections an operator looks for, in order', () => {
  const sections = page.split('\n').filter((l) => l.startsWith('.SH ')).map((l) => l.slice(4));
  expect(sections).toEqual(['NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'STRATEGIES', 'SAFETY', 'GUARD AND LOGROTATE', 'EXIT STATUS', 'ENVIRONMENT', 'FILES', 'EXAMPLES', 'SEE ALSO']);
});

it('documents every option --help shows, with its description', () => {
  for (const o of help.visibleOptions(program)) {
    expect(page).toContain(optionTerm(help.optionTerm(o)));
    expect(page).toContain(roff(help.optionDescription(o)).split('\n')[0]);
  }
});

it('carries the examples of --help', () => EXAMPLES.forEach((e) => expect(page).toContain(`\\fB${e.command.replace(/-/g, '\\-')}\\fR`)));

describe('roff', () => {
  it('escapes minus signs and backslashes', () => expect(roff('-k a\\b')).toBe('\\-k a\\eb'));
  it('starts each sentence on its own line', () => expect(roff('One. Two.')).toBe('One.\nTwo.'));
  it('never starts a line with a dot, which roff would take for a request', () => expect(roff(`${'ab '.repeat(26)}.gz`).split('\n')[1]).toBe('\\&.gz'));
  it('keeps "1 ... 9" and ". and" on one line: only a capital starts a sentence', () => expect(roff('(1 fastest ... 9 best, default: . and /var)')).not.toContain('\n'));
  it('wraps before 80 columns', () => roff('word '.repeat(60)).split('\n').forEach((l) => expect(l.length).toBeLessThan(80)));
  it('sets flags bold and arguments italic', () => expect(optionTerm('-S, --suffix <suf>')).toBe('\\fB\\-S\\fR, \\fB\\-\\-suffix\\fR \\fIsuf\\fR'));
});

describe('lint', () => {
  const lint = (cmd: string, args: string[]) => spawnSync(cmd, args, { input: page, encoding: 'utf8' });
  const missing = (cmd: string) => spawnSync(cmd, ['--version']).error !== undefined;

  it.skipIf(warnSkip(missing('groff') ? 'groff IS MISSING (apt-get install groff-base): the man page is NOT LINTED by groff' : undefined))(
    'groff -man -ww -z prints no warning',
    () => {
      const r = lint('groff', ['-man', '-ww', '-z']);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
    },
  );
  it.skipIf(warnSkip(missing('mandoc') ? 'mandoc IS MISSING (apt-get install mandoc): the man page is NOT LINTED by mandoc' : undefined))(
    'mandoc -T lint finds nothing, not even style',
    () => {
      const r = lint('mandoc', ['-T', 'lint', '-W', 'style']);
      expect(r.stdout + r.stderr).toBe('');
      expect(r.status).toBe(0);
    },
  );
});
