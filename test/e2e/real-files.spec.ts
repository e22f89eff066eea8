// End to end on the files and filesystems real servers have: incompressible and sparse files on a full
// disk, read-only mounts, chattr +i / +a, names near NAME_MAX and names that are not UTF-8.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, gunzipHash, jsonLines, logData, mountFs, mountSkipReason, run, sha256, treeHash, warnSkip, type Mounted, type RunResult } from './helpers.js';

const MiB = 2 ** 20;

/** The one report of a --json run, after checking the exit code. */
function onlyReport(r: RunResult, exit: number): Record<string, any> {
  expect(r.code, r.stderr).toBe(exit);
  const reports = jsonLines(r.stdout);
  expect(reports).toHaveLength(1);
  return reports[0];
}

describe.skipIf(warnSkip(mountSkipReason()))('real files and filesystems', () => {
  describe('nothing to gain on a full disk', () => {
    let m: Mounted;
    beforeAll(() => (m = mountFs('ext4', 48)));
    afterAll(() => m?.unmount());

    it.each([
      ['in place (--no-stash --yes)', ['--no-stash', '--yes']],
      ['with a stash', []],
    ])('an incompressible file, %s: exit 1 NO_GAIN up front, FILE untouched, nothing left anywhere', (_what, args) => {
      const dir = fs.mkdtempSync(path.join(m.dir, 't-'));
      const file = path.join(dir, 'random.bin');
      fs.writeFileSync(file, crypto.randomBytes(4 * MiB));
      const filler = fill(m.dir, `.filler-${path.basename(dir)}`);
      const before = treeHash(m.dir);
      try {
        const report = onlyReport(run(['--json', ...args, file]), 1);
        expect(report.error).toMatchObject({ code: 'NO_GAIN' });
        expect(report.error.message).toMatch(/compressing would free nothing/);
        expect(treeHash(m.dir)).toBe(before);
      } finally {
        fs.rmSync(filler);
        fs.rmSync(dir, { recursive: true });
      }
    });

    it('a hole at the head (a writer without O_APPEND after a copytruncate), 0 free: compressed, and "would free" counts its blocks', () => {
      const dir = fs.mkdtempSync(path.join(m.dir, 't-'));
      const file = path.join(dir, 'app.log');
      const tail = logData(8 * MiB);
      fs.writeFileSync(file, '');
      fs.truncateSync(file, 8 * MiB);
      fs.appendFileSync(file, tail);
      const held = fs.statSync(file).blocks * 512;
      expect(held).toBeLessThan(9 * MiB); // the hole holds no blocks
      const filler = fill(m.dir, `.filler-${path.basename(dir)}`);
      try {
        const report = onlyReport(run(['--json', '--no-stash', '--yes', file]), 0);
        expect(report).toMatchObject({ status: 'compressed', strategy: 'in-place' });
        expect(report.freedBytes).toBeLessThanOrEqual(held);
        expect(report.freedBytes).toBeGreaterThan(held - 2 * MiB);
        expect(gunzipHash(`${file}.gz`)).toBe(sha256(Buffer.concat([Buffer.alloc(8 * MiB), tail])));
        expect(fs.existsSync(file)).toBe(false);
      } finally {
        fs.rmSync(filler);
        fs.rmSync(dir, { recursive: true });
      }
    });
  });
});
