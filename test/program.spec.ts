// parseArgs: every option and spelling, as Options and operands, and the exit codes of help, version and bad lines.
import { afterEach, beforeEach, expect, it, vi, type MockInstance } from 'vitest';
import { parseArgs, type Invocation } from '../src/cli/program.js';
import { VERSION } from '../src/cli/version.js';
import { DEFAULT_OPTIONS } from '../src/plan/options.js';

// commander prints help, version and complaints itself: capture them rather than litter the test output.
let stdout: MockInstance;
let stderr: MockInstance;
beforeEach(() => {
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = parseArgs(args, env);
  if (typeof r === 'number') throw new Error(`exit ${r}: ${stderr.mock.calls.join('')}`);
  return r;
};
const opts = (...args: string[]) => parse(args).options;
const printed = (spy: MockInstance) => spy.mock.calls.map((c) => String(c[0])).join('');

it('defaults to the default options and no files', () =>
  expect(parse([])).toEqual<Invocation>({ options: { ...DEFAULT_OPTIONS, output: undefined, stash: undefined, memory: undefined }, files: [] }));

it('collects operands in order, after options too', () => expect(parse(['a', '-k', 'b', '--', '-c']).files).toEqual(['a', 'b', '-c']));

it.each([
  [['-k'], { keep: true }],
  [['--keep'], { keep: true }],
  [['-f'], { force: true }],
  [['--force'], { force: true }],
  [['-S', '.z'], { suffix: '.z' }],
  [['--suffix=.z'], { suffix: '.z' }],
  [['-o', '/out'], { output: '/out' }],
  [['--output', 'x.gz'], { output: 'x.gz' }],
  [['--stash', '/mnt/s'], { stash: '/mnt/s', noStash: false }],
  [['--no-stash'], { stash: undefined, noStash: true }],
  [['--stash', '/s', '--no-stash'], { stash: undefined, noStash: true }],
  [['--safe'], { safe: true }],
  [['-q'], { quiet: true }],
  [['--quiet'], { quiet: true }],
  [['-v'], { verbose: true }],
  [['--verbose'], { verbose: true }],
  [['--json'], { json: true }],
  [['-b'], { color: false }],
  [['--black-and-white'], { color: false }],
  [['--no-color'], { color: false }],
  [['-y'], { yes: true }],
  [['--yes'], { yes: true }],
  [['-s'], { simulate: true }],
  [['--simulate'], { simulate: true }],
  [['--dry-run'], { simulate: true }],
  [['-t'], { test: true }],
  [['--test'], { test: true }],
  [['--resume'], { resume: true }],
  [['--copytruncate'], { copytruncate: true }],
  [['--deleted'], { deleted: true }],
  [['--scan'], { scan: true }],
  [['-m', '100M'], { memory: 100 * 2 ** 20 }],
  [['-m=100M'], { memory: 100 * 2 ** 20 }],
  [['-m100M'], { memory: 100 * 2 ** 20 }],
  [['--memory=4G'], { memory: 4 * 2 ** 30 }],
  [['--memory', '64K'], { memory: 64 * 1024 }],
  [['-kv9'], { keep: true, verbose: true, level: 9 }],
  [['-qfy'], { quiet: true, force: true, yes: true }],
  [['-d'], { decompress: true }],
  [['--decompress'], { decompress: true }],
  [['--uncompress'], { decompress: true }],
  [['-c'], { stdout: true }],
  [['--stdout'], { stdout: true }],
  [['-dc'], { decompress: true, stdout: true }],
  [['-l'], { list: true }],
  [['--list'], { list: true }],
  [['-r'], { recursive: true }],
  [['--recursive'], { recursive: true }],
  [['-N'], { name: true }],
  [['--name'], { name: true }],
  [['-n'], { name: false }],
  [['--no-name'], { name: false }],
  [['-N', '-n'], { name: false }],
  [['-n', '-N'], { name: true }],
  [['--until', '80%'], { target: { kind: 'until', usedFraction: 0.8 } }],
  [['--until=72.5'], { target: { kind: 'until', usedFraction: 0.725 } }],
  [['--until', '0%'], { target: { kind: 'until', usedFraction: 0 } }],
  [['--free', '2G'], { target: { kind: 'free', bytes: 2 * 2 ** 30 } }],
  [['--free=512M'], { target: { kind: 'free', bytes: 512 * 2 ** 20 } }],
  [['--include-active'], { includeActive: true }],
  [['--until', '80%', '--above', '90%'], { target: { kind: 'until', usedFraction: 0.8 }, above: 90 }],
  [['--above=92.5', '--until=80'], { above: 92.5 }],
])('%j sets %j', (args, expected) => expect(opts(...args)).toMatchObject(expected));

it.each([
  [[], 6],
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9].map((l) => [[`-${l}`], l] as [string[], number]),
  [['--fast'], 1],
  [['--best'], 9],
  [['-1', '-9'], 9],
  [['-9', '-1'], 1],
  [['--best', '--fast'], 1],
  [['--fast', '-6'], 6],
  [['-3', '--best'], 9],
  [['-k9', '-2'], 2],
])('%j compresses at level %d (the last one wins)', (args, level) => expect(opts(...args).level).toBe(level));

it.each([
  [{}, true],
  [{ NO_COLOR: '1' }, false],
  [{ NO_COLOR: '' }, true],
])('with env %j colour is %s', (env, color) => expect(parse(['f'], env).options.color).toBe(color));

it.each([['-m', 'abc'], ['-m', '0'], ['-m', '1K'], ['-m=63K'], ['--memory=lots'], ['-m='], ['-m'], ['--bogus'], ['-x'], ['-S'], ['--until', '100%'], ['--until', '80%%'], ['--until', 'most'], ['--free', '0'], ['--free', 'lots'], ['--until', '80%', '--free', '1G'], ['--above', '90%'], ['--free', '1G', '--above', '90%'], ['--until', '80%', '--above', '100%'], ['--until', '80%', '--above', 'high']])(
  '%j is refused with exit code 1',
  (...args) => {
    expect(parseArgs(args, {})).toBe(1);
    expect(printed(stderr)).toMatch(/error/);
  },
);

it.each([['-S', ''], ['-f', '-S', '', 'a'], ['-d', '-S', '', 'a.gz'], ['--suffix=']])('%j: an empty suffix is refused with exit 1, as by gzip', (...args) => {
  expect(parseArgs(args, {})).toBe(1);
  expect(printed(stderr)).toMatch(/invalid suffix ''/);
});

it('takes GZIP\'s options before the command line\'s, so that the line wins', () => {
  expect(parse(['-d'], { GZIP: '-qv -9' }).options).toMatchObject({ quiet: true, verbose: true, level: 9, decompress: true });
  expect(parse(['-1'], { GZIP: '-9' }).options.level).toBe(1);
});

it('refuses a GZIP that holds an option gzip does not take there, with exit 1', () => {
  expect(parseArgs(['-d'], { GZIP: '-c' })).toBe(1);
  expect(printed(stderr)).toMatch(/-c: option not valid in GZIP environment variable/);
});

it.each([['-V'], ['--version']])('%s prints the version and exits 0', (flag) => {
  expect(parseArgs([flag], {})).toBe(0);
  expect(printed(stdout).trim()).toBe(`cmemgzip ${VERSION}\nnode ${process.version}`);
});

it.each([['-h'], ['--help']])('%s prints the usage and exits 0', (flag) => {
  expect(parseArgs([flag], {})).toBe(0);
  expect(printed(stdout)).toMatch(/Usage: cmemgzip \[options\] FILE\.\.\.[\s\S]*--no-stash/);
});

it('ends --help with examples, then the exit codes, after the options', () => {
  parseArgs(['--help'], {});
  const help = printed(stdout);
  expect(help.indexOf('-h, --help')).toBeLessThan(help.indexOf('Examples:'));
  expect(help).toMatch(/Examples:\n  cmemgzip -s \/var\/log\/huge\.log +show the plan/);
  expect(help).toMatch(/Exit status:\n  0  every operand went well\n  1  an error[^\n]*\n  2  warnings only/);
  expect(help.trimEnd()).toMatch(/man cmemgzip$/);
});

it('leaves -n/-N unset by default (compression stores the name, decompression restores none)', () => expect(opts().name).toBeUndefined());
it('refuses --rsyncable with exit 1 and says so', () => {
  expect(parseArgs(['--rsyncable', 'a'], {})).toBe(1);
  expect(printed(stderr)).toMatch(/--rsyncable is not supported/);
});
