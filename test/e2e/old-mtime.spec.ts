// A file last changed before 1970: its .gz keeps that time on disk, as gzip's does (the header, which cannot hold it, says 0).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipHash, mountFs, mountSkipReason, run, warnSkip, writeLog, type Mounted } from './helpers.js';

const BEFORE_1970 = new Date('1960-01-01T00:00:00Z');

describe.skipIf(warnSkip(mountSkipReason()))('an mtime before 1970', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));

  it.each([
    ['beside', [] as string[]],
    ['kept (-k)', ['-k']],
  ])('%s: the .gz has the same mtime as gzip gives its own, the header 0, and the exit status is gzip\'s', (_name, flags) => {
    const m = mountFs('tmpfs', 16);
    mounts.push(m);
    const ours = path.join(m.dir, 'ours.log');
    const theirs = path.join(m.dir, 'theirs.log');
    const hash = writeLog(ours, 100_000);
    fs.copyFileSync(ours, theirs);
    for (const f of [ours, theirs]) fs.utimesSync(f, BEFORE_1970, BEFORE_1970);
    const gzip = (() => {
      try {
        execFileSync('gzip', [...flags, theirs], { stdio: 'pipe' });
        return 0;
      } catch (err) {
        return (err as { status: number }).status;
      }
    })();
    const r = run([...flags, ours]);
    expect(r.code, r.stderr).toBe(gzip);
    expect(fs.statSync(`${ours}.gz`).mtimeMs).toBe(fs.statSync(`${theirs}.gz`).mtimeMs);
    expect(fs.statSync(`${ours}.gz`).mtime.toISOString()).toBe(BEFORE_1970.toISOString());
    expect(fs.readFileSync(`${ours}.gz`).readUInt32LE(4)).toBe(0);
    expect(gunzipHash(`${ours}.gz`)).toBe(hash);
  });
});
