// GNU gzip 1.12's own tests (npm run test:gzip-suite) against the built CLI: each passes, or fails as a listed difference.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, isRoot, ROOT, warnSkip } from './helpers.js';

/** README's "gzip compatibility" lists each of these with its reason; every other applicable test must pass. */
const DIFFERENCES: Record<string, string> = {
  hufts: "messages are cmemgzip's (timestamped, with what to do next), not gzip's exact text",
  'null-suffix-clobber': "the refusal is cmemgzip's message, and gzip's private ---presume-input-tty is not an option",
  'upper-suffix': 'cmemgzip reports what it did on stdout by default (gzip prints nothing without -v)',
  'list-big': '-l shows the real size of a file of 4 GiB or more, not gzip\'s size modulo 2^32',
};
const TESTS = ['gzip-env', 'helin-segv', 'help-version', 'hufts', 'keep', 'list', 'list-big', 'memcpy-abuse', 'mixed', 'null-suffix-clobber',
  'reproducible', 'stdin', 'timestamp', 'two-files', 'trailing-nul', 'unpack-invalid', 'unpack-valid', 'upper-suffix', 'z-suffix'];

const skipReason = !isRoot
  ? "NOT ROOT: fetching gzip's source package (apt-get source) needs root; GNU gzip's test suite is SKIPPED"
  : CLI.endsWith('.js') ? undefined : 'CMEMGZIP_BIN is not the bundle: the gzip suite runs dist/cmemgzip.js only; SKIPPED';

describe.skipIf(warnSkip(skipReason))("GNU gzip's own test suite (Debian's gzip source package, tests/)", () => {
  let results: Record<string, string> = {};
  let logs: string | undefined;
  beforeAll(() => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/gzip-suite.mjs'), '--json'], { encoding: 'utf8', timeout: 900_000 });
    if (!r.stdout.trim()) throw new Error(`the gzip suite did not run (exit ${r.status ?? r.signal}):\n${r.stderr}`);
    ({ results, logs } = JSON.parse(r.stdout.trim().split('\n').pop()!) as { results: Record<string, string>; logs?: string });
  }, 900_000);
  // The script keeps the failures' logs for a person; here they were read into the assertions.
  afterAll(() => logs && fs.rmSync(logs, { recursive: true, force: true }));

  it('runs exactly the applicable tests of gzip 1.12 (those that need no zgrep, zdiff or znew)', () => expect(Object.keys(results).sort()).toEqual([...TESTS].sort()));

  it.each(TESTS)('%s', (name) => {
    const log = logs && fs.existsSync(path.join(logs, `${name}.log`)) ? fs.readFileSync(path.join(logs, `${name}.log`), 'utf8').slice(-3000) : '';
    expect(results[name], DIFFERENCES[name] ? `a listed difference: ${DIFFERENCES[name]}` : log).toBe(DIFFERENCES[name] ? 'fail' : 'pass');
  });
});
