// bashCompletion and zshCompletion: bash runs the function with COMP_WORDS and COMP_CWORD and we read COMPREPLY; zsh parses its file.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commandLine } from '../src/cli/program.js';
import { bashCompletion, zshCompletion } from '../src/docs/completion.js';
import { warnSkip } from './e2e/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-completion-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
fs.mkdirSync(path.join(dir, 'logs'));
fs.writeFileSync(path.join(dir, 'app.log'), '');
fs.writeFileSync(path.join(dir, 'app.txt'), '');

/** COMPREPLY after completing the last word of line, in dir, as bash's programmable completion would. */
function complete(...words: string[]): string[] {
  const script = `${bashCompletion(commandLine())}
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_cmemgzip; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bash', () => {
  it('completes long options', () => expect(complete('cmemgzip', '--ke')).toEqual(['--keep']));
  it('completes every option --help shows', () => {
    const program = commandLine();
    const shown = program.createHelp().visibleOptions(program).flatMap((o) => [o.short, o.long].filter((n): n is string => !!n));
    expect(complete('cmemgzip', '-')).toEqual(shown.sort());
  });
  it('completes files as operands', () => expect(complete('cmemgzip', '-k', 'app')).toEqual(['app.log', 'app.txt']));
  it('completes only folders after --stash', () => expect(complete('cmemgzip', '--stash', '')).toEqual(['logs']));
  it('completes files after -o', () => expect(complete('cmemgzip', '-o', 'app.l')).toEqual(['app.log']));
  it('offers nothing after -m, whose argument is a size', () => expect(complete('cmemgzip', '-m', '')).toEqual([]));
  it('registers the function for cmemgzip', () => expect(bashCompletion(commandLine()).trimEnd().split('\n').at(-1)).toBe('complete -o filenames -F _cmemgzip cmemgzip'));
});

describe('zsh', () => {
  const file = zshCompletion(commandLine());
  it('is a #compdef file naming cmemgzip', () => expect(file.split('\n')[0]).toBe('#compdef cmemgzip'));
  it('takes the argument of --output as a file and of --stash as a folder', () => {
    expect(file).toContain(`'--output=[write the .gz there\\: a folder or a file name, possibly on another filesystem]:path:_files'`);
    expect(file).toMatch(/'--stash=\[[^']*\]:dir:_files -\/'/);
  });
  const noZsh = spawnSync('zsh', ['--version']).error !== undefined;
  it.skipIf(warnSkip(noZsh ? 'zsh IS MISSING (apt-get install zsh): its completion is NOT PARSED' : undefined))('parses as zsh', () => {
    const r = spawnSync('zsh', ['-n'], { input: file, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
