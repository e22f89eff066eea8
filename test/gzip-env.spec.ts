// gzipEnvArgs: which words of GZIP are taken, as gzip 1.12 takes them, and which refuse the run.
import { expect, it } from 'vitest';
import { gzipEnvArgs } from '../src/cli/gzip-env.js';

it('takes nothing from an unset or blank GZIP', () => {
  expect(gzipEnvArgs(undefined)).toEqual({ args: [] });
  expect(gzipEnvArgs('  ')).toEqual({ args: [] });
});

it.each(['-n', '--no-name', '-N', '--name', '-q', '--quiet', '-v', '--verbose', '-1', '-9', '--fast', '--best', '-qv'])('takes %s', (word) =>
  expect(gzipEnvArgs(word)).toEqual({ args: [word] }),
);

it('splits on blanks, keeping order', () => expect(gzipEnvArgs(' -v  -9 ')).toEqual({ args: ['-v', '-9'] }));

it.each(['--', '-c', '--stdout', '-d', '--decompress', '-f', '--force', '-h', '--help', '-k', '--keep', '-l', '--list', '-L', '-r', '-Sxxx', '--suffix=xxx', '-t', '--test', '-V', '--version', '-qc'])(
  'refuses %s, naming it',
  (word) => expect(gzipEnvArgs(`-v ${word}`)).toEqual({ refused: expect.stringContaining(`${word}: option not valid in GZIP environment variable`) }),
);

it('refuses a word that is not an option', () => expect(gzipEnvArgs('xxx')).toEqual({ refused: expect.stringContaining('xxx: non-option') }));
