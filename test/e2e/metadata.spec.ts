// End to end, what the .gz carries over in each strategy: owner, mode (without setuid, setgid, sticky),
// mtime, and a gzip header from which the system's gunzip -N restores the original name and mtime.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fill, jsonLines, mountFs, mountSkipReason, run, sha256File, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const MTIME = new Date('2021-03-04T05:06:07.891Z');
const ATIME = new Date('2022-01-02T03:04:05.000Z');
const seconds = (ms: number) => Math.floor(ms / 1000);

const STRATEGIES = [
  { strategy: 'beside', full: false, args: () => ['--no-stash'] },
  { strategy: 'stash', full: true, args: (stashDir: string) => ['--stash', stashDir] },
  { strategy: 'in-place', full: true, args: () => ['--no-stash', '--yes'] },
];

describe.skipIf(warnSkip(mountSkipReason()))('metadata and header', () => {
  let stash: Mounted;
  const mounts: Mounted[] = [];
  beforeAll(() => {
    stash = mountFs('tmpfs', 16);
  });
  afterAll(() => stash?.unmount());
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  /** Compresses a 6 MiB log given uid, gid, mode and times by the chosen strategy; returns the paths and the original's hash. */
  function compress(kind: 'tmpfs' | 'ext4', c: (typeof STRATEGIES)[number], mode: number) {
    const m = mountFs(kind, 32);
    mounts.push(m);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 6 * MiB);
    fs.chownSync(log, 1234, 5678);
    fs.chmodSync(log, mode);
    fs.utimesSync(log, ATIME, MTIME);
    if (c.full) fill(m.dir);
    const r = run(['--json', ...c.args(stash.dir), log]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'compressed', strategy: c.strategy });
    expect(fs.existsSync(log)).toBe(false);
    return { m, gz: `${log}.gz`, hash };
  }

  for (const kind of ['tmpfs', 'ext4'] as const) {
    describe(kind, () => {
      it.each(STRATEGIES)('$strategy: owner, mode 0640 and mtime kept; gunzip -N restores the name and mtime', (c) => {
        const { m, gz, hash } = compress(kind, c, 0o640);

        const st = fs.statSync(gz);
        expect([st.uid, st.gid]).toEqual([1234, 5678]);
        expect((st.mode & 0o7777).toString(8)).toBe('640');
        expect(seconds(st.mtimeMs)).toBe(seconds(MTIME.getTime()));
        expect(Math.abs(st.mtimeMs - MTIME.getTime())).toBeLessThan(1);

        const header = fs.readFileSync(gz).subarray(0, 10);
        expect(header[3] & 0x08, 'FNAME flag').toBe(0x08);
        expect(header.readUInt32LE(4)).toBe(seconds(MTIME.getTime()));
        expect(header[9], 'OS = Unix').toBe(3);

        // In a copy under another name, only the header can tell gunzip what to call it and when it was made.
        const copyDir = fs.mkdtempSync(path.join(m.dir, '..', `${path.basename(m.dir)}-copy-`));
        try {
          fs.copyFileSync(gz, path.join(copyDir, 'renamed.gz'));
          execFileSync('gunzip', ['-N', 'renamed.gz'], { cwd: copyDir });
          expect(fs.readdirSync(copyDir)).toEqual(['app.log']);
          const restored = path.join(copyDir, 'app.log');
          expect(sha256File(restored)).toBe(hash);
          expect(seconds(fs.statSync(restored).mtimeMs)).toBe(seconds(MTIME.getTime()));
        } finally {
          fs.rmSync(copyDir, { recursive: true, force: true });
        }
      });

      it.each(STRATEGIES)('$strategy: setuid, setgid and sticky are dropped (07755 becomes 0755), like gzip', (c) => {
        const { gz } = compress(kind, c, 0o7755);
        const st = fs.statSync(gz);
        expect((st.mode & 0o7777).toString(8)).toBe('755');
        expect([st.uid, st.gid]).toEqual([1234, 5678]);
      });
    });
  }
});
