// README's way onto a full server whose /dev/shm is noexec: the bundle through node, or the executable after remount,exec.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureSea, mountFs, mountSkipReason, PACKAGE_VERSION, ROOT, seaPath, warnSkip, type Mounted } from './helpers.js';

describe.skipIf(warnSkip(mountSkipReason()))('a noexec tmpfs, as /dev/shm may be', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));
  const noexec = () => {
    const m = mountFs('tmpfs', 256);
    mounts.push(m);
    execFileSync('mount', ['-o', 'remount,noexec', m.dir]);
    return m.dir;
  };

  it('the bundle runs there through node', () => {
    const dir = noexec();
    fs.copyFileSync(path.join(ROOT, 'dist/cmemgzip.js'), path.join(dir, 'cmemgzip.js'));
    const r = spawnSync(process.execPath, [path.join(dir, 'cmemgzip.js'), '--version'], { encoding: 'utf8' });
    expect(r.stdout.split('\n')[0], r.stderr).toBe(`cmemgzip ${PACKAGE_VERSION}`);
  });

  it('the single executable is refused there, and runs once the mount is remounted exec', ({ skip }) => {
    const why = ensureSea();
    if (why) {
      warnSkip(why);
      return skip(why);
    }
    const dir = noexec();
    const exe = path.join(dir, 'cmemgzip');
    fs.copyFileSync(seaPath(), exe);
    fs.chmodSync(exe, 0o755);
    expect(spawnSync(exe, ['--version']).error?.message).toMatch(/EACCES/);
    execFileSync('mount', ['-o', 'remount,exec', dir]);
    expect(spawnSync(exe, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]).toBe(`cmemgzip ${PACKAGE_VERSION}`);
  });
});
