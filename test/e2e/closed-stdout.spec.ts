// A reader that goes away early (`| head`): quiet, as with gzip, and never at the cost of a job.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, gunzipHash, mountFs, mountSkipReason, warnSkip, writeLog, type Mounted } from './helpers.js';

/** Runs `cmemgzip ARGS | READER` in bash; returns each side's exit status and what the CLI said on stderr. */
function piped(args: string, reader: string, cwd?: string) {
  const script = `"${process.execPath}" "${CLI}" ${args} 2>"$ERRS" | ${reader} >/dev/null; echo "\${PIPESTATUS[*]}"`;
  const errs = path.join(cwd ?? '/tmp', `.errs-${process.pid}`);
  try {
    const r = spawnSync('bash', ['-c', script], { cwd, env: { ...process.env, ERRS: errs, NO_COLOR: '1' }, encoding: 'utf8' });
    const [cli, head] = r.stdout.trim().split(' ').map(Number);
    return { cli, head, stderr: fs.readFileSync(errs, 'utf8') };
  } finally {
    fs.rmSync(errs, { force: true });
  }
}

describe.skipIf(warnSkip(mountSkipReason()))('a closed stdout', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));
  const dir = () => {
    const m = mountFs('tmpfs', 64);
    mounts.push(m);
    return m.dir;
  };

  it('--help | head -1: no stack trace, exit 0', () => {
    // `head -1` may close before the help is written or after: either way nothing is said.
    const r = piped('--help', 'head -c 1');
    expect(r.stderr).toBe('');
    expect([0, 141]).toContain(r.cli);
  });

  it('-dc big.gz | head: nothing on stderr, and the end gzip has (SIGPIPE, 141)', () => {
    const d = dir();
    const log = path.join(d, 'big.log');
    writeLog(log, 20 * 2 ** 20);
    spawnSync('gzip', ['-k', log]);
    const r = piped(`-dc ${log}.gz`, 'head -c 10');
    expect(r.stderr).toBe('');
    expect(r.cli).toBe(141);
    const c = piped(`-c ${log}`, 'head -c 10');
    expect(c.stderr).toBe('');
    expect(c.cli).toBe(141);
  });

  it('--help and -c into /dev/full: exit 1 and one line saying so, as gzip, no stack trace', () => {
    for (const args of [['--help'], ['-c', CLI]]) {
      const r = spawnSync(process.execPath, [CLI, ...args], { stdio: ['ignore', fs.openSync('/dev/full', 'w'), 'pipe'], encoding: 'utf8' });
      expect(r.status, args[0]).toBe(1);
      expect(r.stderr).toMatch(/no space left on device/i);
      expect(r.stderr).not.toMatch(/    at /);
    }
  });

  it('--scan | head -c 1: quiet', () => {
    const r = piped(`--scan ${dir()}`, 'head -c 1');
    expect(r.stderr).toBe('');
  });

  it('a real run whose report nobody reads still finishes its job', () => {
    const d = dir();
    const log = path.join(d, 'app.log');
    const hash = writeLog(log, 8 * 2 ** 20);
    const r = piped(`-v --no-stash --yes ${log}`, 'true', d);
    expect(r.stderr).toBe('');
    expect(r.cli).toBe(0);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });
});
