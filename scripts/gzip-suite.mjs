// Runs GNU gzip's own test suite (tests/ of Debian's gzip source package) against the built CLI or any gzip.
// Usage: node scripts/gzip-suite.mjs [--gzip PROGRAM] [--json] [TEST...]
//   --gzip PROGRAM   run the suite against PROGRAM (say /bin/gzip) instead of dist/cmemgzip.js
//   --json           also print one JSON object on stdout: { version, results: { test: "pass" | "fail" | "skip" }, logs }
// The source package is fetched once with apt-get source (a deb-src line of its own for the suite of the
// installed gzip) into node_modules/.cache/gzip-suite, outside git.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const CACHE = path.join(ROOT, 'node_modules/.cache/gzip-suite');
const SOURCES = '/etc/apt/sources.list.d/cmemgzip-gzip-src.sources';
/** The tests that need zgrep, zdiff or znew: scripts of the gzip package, not the gzip program. */
const NEEDS_SCRIPTS = /^(zdiff|zgrep-.*|znew-.*)$/;

const args = process.argv.slice(2);
const json = args.includes('--json');
const gzipAt = args.indexOf('--gzip');
const program = gzipAt >= 0 ? args[gzipAt + 1] : undefined;
const only = args.filter((a, i) => !a.startsWith('--') && i !== gzipAt + 1);
const say = (line) => (json ? process.stderr : process.stdout).write(`${line}\n`);

/** The apt suite the installed gzip came from (bookworm, say), read from apt-cache policy. */
function installedSuite() {
  const policy = execFileSync('apt-cache', ['policy', 'gzip'], { encoding: 'utf8' });
  const m = /\*\*\* \S+ \d+\n\s+\d+ (\S+) ([^/\s]+)\/main/.exec(policy);
  if (!m) throw new Error(`cannot tell which apt suite the installed gzip comes from:\n${policy}`);
  return { uri: m[1], suite: m[2] };
}

/** The extracted source tree's tests/ folder, fetched when missing. */
function testsFolder() {
  const existing = fs.existsSync(CACHE) && fs.readdirSync(CACHE).find((d) => fs.existsSync(path.join(CACHE, d, 'tests/init.sh')));
  if (existing) return path.join(CACHE, existing, 'tests');
  const { uri, suite } = installedSuite();
  say(`fetching Debian's gzip source package (${suite}) into ${CACHE}`);
  fs.writeFileSync(SOURCES, `Types: deb-src\nURIs: ${uri}\nSuites: ${suite}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`);
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (spawnSync('dpkg-source', ['--version']).status !== 0)
    execFileSync('apt-get', ['install', '-y', '-qq', 'dpkg-dev'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  fs.mkdirSync(CACHE, { recursive: true });
  // apt's _apt user cannot write into a root-only folder; root downloads it itself (apt says so, harmlessly).
  execFileSync('apt-get', ['source', '-qq', 'gzip'], { cwd: CACHE, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = fs.readdirSync(CACHE).find((d) => fs.existsSync(path.join(CACHE, d, 'tests/init.sh')));
  if (!dir) throw new Error(`apt-get source gzip left no tests/init.sh under ${CACHE}`);
  return path.join(CACHE, dir, 'tests');
}

/** The Makefile's list of tests (TESTS = ...), less those that need the gzip package's scripts. */
function listTests(tests) {
  const makefile = fs.readFileSync(path.join(tests, 'Makefile.am'), 'utf8');
  const block = /^TESTS =([^]*?)\n\n/m.exec(makefile)[1];
  return block.split(/[\s\\]+/).filter((t) => t && !NEEDS_SCRIPTS.test(t));
}

/** A folder holding the `gzip` wrapper, with a copy of tests/ inside it: the tests' `path_prepend_ ..`. */
function sandbox(tests) {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'gzip-suite-'));
  fs.cpSync(tests, path.join(top, 'tests'), { recursive: true });
  const target = program ? `exec ${JSON.stringify(program)} "$@"` : `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(ROOT, 'dist/cmemgzip.js'))} "$@"`;
  fs.writeFileSync(path.join(top, 'gzip'), `#!/bin/sh\n${target}\n`, { mode: 0o755 });
  return top;
}

const tests = testsFolder();
const top = sandbox(tests);
const version = execFileSync(path.join(top, 'gzip'), ['--version'], { encoding: 'utf8' }).split('\n')[0].split(' ').pop();
const results = {};
for (const name of listTests(tests)) {
  if (only.length && !only.includes(name)) continue;
  const cwd = path.join(top, 'tests');
  // As the Makefile's TESTS_ENVIRONMENT: srcdir=., the built programs first on PATH, stderr copied to fd 9.
  const env = {
    ...process.env,
    LC_ALL: 'C',
    VERSION: version,
    abs_top_builddir: top,
    abs_top_srcdir: top,
    abs_srcdir: cwd,
    built_programs: 'gzip',
    srcdir: '.',
    top_srcdir: '..',
    GZIP_TEST_NAME: name,
    SHELL: '/bin/sh',
    PATH: `${top}:${process.env.PATH}`,
    TMPDIR: os.tmpdir(),
  };
  delete env.GZIP;
  const r = spawnSync('/bin/sh', ['-c', `exec /bin/sh ./${name} 9>&2`], { cwd, env, encoding: 'utf8', timeout: 300_000 });
  const outcome = r.status === 0 ? 'pass' : r.status === 77 ? 'skip' : 'fail';
  results[name] = outcome;
  if (outcome === 'fail') fs.writeFileSync(path.join(top, `${name}.log`), `${r.stdout}${r.stderr}`);
  say(`${outcome.toUpperCase().padEnd(4)} ${name}${outcome === 'fail' ? `  (exit ${r.status ?? r.signal}; log: ${path.join(top, `${name}.log`)})` : ''}`);
}
const count = (o) => Object.values(results).filter((v) => v === o).length;
// Only the failures' logs are kept; a clean run leaves nothing behind.
fs.rmSync(path.join(top, 'tests'), { recursive: true, force: true });
if (!count('fail')) fs.rmSync(top, { recursive: true, force: true });
say(`gzip suite against ${program ?? 'dist/cmemgzip.js'}: pass ${count('pass')}, fail ${count('fail')}, skip ${count('skip')} of ${Object.keys(results).length}${count('fail') ? `; logs of the failures in ${top}` : ''}`);
if (json) process.stdout.write(`${JSON.stringify({ version, results, logs: count('fail') ? top : undefined })}\n`);
process.exitCode = count('fail') ? 1 : 0;
