// normalizeArgv: the Python tool's -m=100M spelling, rewritten for commander.
import { expect, it } from 'vitest';
import { normalizeArgv } from '../src/cli/argv.js';

it.each([
  [['-m=100M', 'f'], ['-m', '100M', 'f']],
  [['-o=/a=b'], ['-o', '/a=b']],
  [['-m='], ['-m', '']],
  [['--memory=4G'], ['--memory=4G']],
  [['-m', '100M'], ['-m', '100M']],
  [['-kv9', 'a=b'], ['-kv9', 'a=b']],
  [['-ab=1'], ['-ab=1']],
  [['--', '-m=1M'], ['--', '-m=1M']],
  [['-k', '--', '-m=1M', '--'], ['-k', '--', '-m=1M', '--']],
  [[], []],
])('normalizeArgv(%j) = %j', (args, out) => expect(normalizeArgv(args)).toEqual(out));
