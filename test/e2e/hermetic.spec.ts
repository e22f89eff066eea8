// The suite itself: a run leaves nothing in /tmp or /dev/shm, and a child run as another user works from a clone closed to others.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mountSkipReason, onlyReport, ROOT, run, warnSkip, writeLog } from './helpers.js';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const canUnshare = () => spawnSync('unshare', ['-m', 'true']).status === 0;
const canDrop = () => spawnSync(NOBODY[0], [...NOBODY.slice(1), 'true']).status === 0;

describe.skipIf(warnSkip(mountSkipReason() ?? (canUnshare() ? undefined : 'unshare -m fails: the leftovers test is SKIPPED')))('a run of specs', () => {
  it('leaves nothing in /tmp or /dev/shm (each mounted afresh, in a namespace of its own)', () => {
    // Specs that made folders they never removed: every e2e spec's state folder, lsof's cmem-lsof-*.
    const specs = ['test/lsof.spec.ts', 'test/compress.spec.ts', 'test/e2e/smoke.spec.ts'];
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS' && k !== 'TEST'));
    // The clone is seen through /mnt first: a clone under /tmp (as CI may make one) would vanish under the fresh /tmp.
    const script =
      `mount -t tmpfs tmpfs /mnt && mkdir /mnt/clone && mount --bind "$1" /mnt/clone && cd /mnt/clone && shift && ` +
      `mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /dev/shm && "$0" node_modules/vitest/vitest.mjs run "$@" >&2; echo "left: $(ls -A /tmp /dev/shm | grep -v ':$' | tr '\\n' ' ')"`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, ROOT, ...specs], { cwd: ROOT, env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' }, encoding: 'utf8', timeout: 300_000 });
    expect(r.stderr).toMatch(/Tests +\d+ passed/);
    expect(r.stdout.trim()).toBe('left:');
  });
});

describe.skipIf(warnSkip(mountSkipReason() ?? (canDrop() ? undefined : 'setpriv cannot drop to uid 65534: SKIPPED')))('a clone closed to other users', () => {
  const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-closed-clone-'));
  afterAll(() => fs.rmSync(closed, { recursive: true, force: true }));

  it('a child run as uid 65534 still starts (from a copy it can read)', () => {
    // As a clone under /root or in a mktemp -d folder: mode 0700, so uid 65534 cannot read the bundle in place.
    fs.chmodSync(closed, 0o700);
    fs.mkdirSync(path.join(closed, 'dist'));
    const cli = path.join(closed, 'dist/cmemgzip.js');
    fs.copyFileSync(path.join(ROOT, 'dist/cmemgzip.js'), cli);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-nobody-'));
    try {
      fs.chmodSync(work, 0o777);
      const log = path.join(work, 'app.log');
      writeLog(log, 100_000);
      fs.chownSync(log, 65534, 65534);
      const r = run(['--json', '--simulate', log], { prefix: NOBODY, cli });
      expect(onlyReport(r, 0)).toMatchObject({ status: 'simulated' });
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  });
});

describe.skipIf(warnSkip(spawnSync('git', ['-C', ROOT, 'rev-parse']).status === 0 ? undefined : 'not a git clone: the committed-files check is SKIPPED'))('the clone', () => {
  it('holds no compiled Python, and git ignores what running the lazyfs harness compiles', () => {
    const tracked = spawnSync('git', ['-C', ROOT, 'ls-files'], { encoding: 'utf8' }).stdout.split('\n');
    expect(tracked.filter((f) => f.includes('__pycache__') || f.endsWith('.pyc'))).toEqual([]);
    expect(spawnSync('git', ['-C', ROOT, 'check-ignore', '-q', 'test/e2e/lazyfs/__pycache__/lazyfs.cpython-311.pyc']).status).toBe(0);
  });
});
