// npm run demo's script: as root, a filled tmpfs at 0 bytes free freed by the built CLI and checked by gzip, leaving no mount; as nobody, the simulated plan and the reason.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mountSkipReason, readableCopy, ROOT, warnSkip } from './helpers.js';

/** As another user (a prefix), from a copy that user can read: the clone may be closed to others. */
const demo = (prefix: string[] = []) => {
  const [cmd, ...args] = [...prefix, process.execPath, 'scripts/demo.mjs'];
  const cwd = prefix.length > 0 ? readableCopy(['scripts/demo.mjs', 'bin/cmemgzip.js', 'dist/cmemgzip.js']) : ROOT;
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120_000 });
};
// Only the demo's own: other tests on this machine may mount and unmount meanwhile.
const mounts = () => fs.readFileSync('/proc/self/mounts', 'utf8').split('\n').filter((l) => l.startsWith('cmemgzip-demo '));

describe.skipIf(warnSkip(mountSkipReason()))('npm run demo', () => {
  it('as root: df shows 0 bytes free, the run frees the space, gzip -t says OK, and the mount is gone', () => {
    const before = mounts();
    const r = demo();
    expect(r.status, r.stderr).toBe(0);
    const avail = [...r.stdout.matchAll(/^cmemgzip-demo +\d+ +\d+ +(\d+) /gm)].map((m) => Number(m[1]));
    expect(avail).toHaveLength(2);
    expect(avail[0]).toBe(0);
    expect(avail[1]).toBeGreaterThan(10 * 2 ** 20);
    expect(r.stdout).toMatch(/\$ \S+ \S+ --simulate \S+app\.log\n[\s\S]*simulation only[\s\S]*\$ \S+ \S+ \S+app\.log\n[\s\S]*-> \S+app\.log\.gz/);
    // gzip -tv reports on stderr.
    expect(r.stderr).toMatch(/app\.log\.gz:\s+OK/);
    expect(mounts()).toEqual(before);
  });

  const nobody = spawnSync('setpriv', ['--version']).status === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : undefined;
  it.skipIf(warnSkip(nobody ? undefined : 'setpriv IS MISSING: the demo as a non-root user is NOT TRIED'))('as nobody: says why, then shows the simulated plan on a real file', () => {
    const r = demo(nobody);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Not root: .*mount needs root/);
    expect(r.stdout).toMatch(/simulation only: nothing was written/);
  });
});
