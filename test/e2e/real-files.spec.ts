// End to end on the files and filesystems real servers have: incompressible and sparse files on a full
// disk, read-only mounts, chattr +i / +a, names near NAME_MAX (names that are not UTF-8: raw-names.spec.ts).
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, gunzipHash, logData, mountFs, mountSkipReason, onlyReport, run, sha256, treeHash, warnSkip, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

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

  const hasChattr = spawnSync('chattr', ['-V']).error === undefined;
  describe.skipIf(warnSkip(hasChattr ? undefined : 'NO chattr (e2fsprogs): the read-only and chattr +i / +a refusals are SKIPPED'))(
    'what cannot be changed: refused up front with the real reason, nothing written anywhere',
    () => {
      let m: Mounted;
      let stash: Mounted;
      beforeAll(() => {
        m = mountFs('ext4', 48);
        stash = mountFs('tmpfs', 32);
      });
      afterAll(() => {
        spawnSync('mount', ['-o', 'remount,rw', m.dir]);
        spawnSync('chattr', ['-R', '-ia', m.dir]);
        m?.unmount();
        stash?.unmount();
      });

      /** Runs with a full disk (so the stash would be written first) and with room (beside), checking both trees. */
      function refusedBoth(file: string, code: string, message: RegExp, args: string[] = []): void {
        const filler = path.join(m.dir, '.filler');
        for (const full of [true, false]) {
          if (full) fill(m.dir);
          try {
            const before = [treeHash(m.dir), treeHash(stash.dir)];
            const report = onlyReport(run(['--json', '--stash', stash.dir, ...args, file]), 1);
            expect(report.error, `full disk: ${full}`).toMatchObject({ code });
            expect(report.error.message).toMatch(message);
            expect(report.error.message).not.toMatch(/run as root/);
            expect([treeHash(m.dir), treeHash(stash.dir)]).toEqual(before);
          } finally {
            fs.rmSync(filler, { force: true });
          }
        }
      }

      it.each([
        ['+i', 'NOT_PERMITTED', /is immutable \(chattr \+i\)/],
        ['+a', 'NOT_PERMITTED', /is append-only \(chattr \+a\)/],
      ])('a file with chattr %s: exit 1 %s', (flag, code, message) => {
        const file = path.join(m.dir, `flag${flag === '+i' ? 'i' : 'a'}.log`);
        fs.writeFileSync(file, logData(4 * MiB));
        execFileSync('chattr', [flag, file]);
        try {
          refusedBoth(file, code, message);
          refusedBoth(file, code, message, ['--no-stash', '--yes']);
        } finally {
          execFileSync('chattr', [flag.replace('+', '-'), file]);
          fs.rmSync(file);
        }
      });

      // +a is the subtle one: a temporary can be made there, then never renamed nor removed.
      it.each([
        ['+i', /the folder .*frozen is immutable/],
        ['+a', /the folder .*frozen is append-only \(chattr \+a\)/],
      ])('a file in a folder with chattr %s: exit 1 NOT_PERMITTED, names the folder', (flag, message) => {
        const dir = path.join(m.dir, 'frozen');
        fs.mkdirSync(dir);
        const file = path.join(dir, 'app.log');
        fs.writeFileSync(file, logData(4 * MiB));
        execFileSync('chattr', [flag, dir]);
        try {
          refusedBoth(file, 'NOT_PERMITTED', message);
        } finally {
          execFileSync('chattr', [flag.replace('+', '-'), dir]);
          fs.rmSync(dir, { recursive: true });
        }
      });

      it('a read-only mount: exit 1 READ_ONLY, even with --no-stash --yes and with -k', () => {
        const file = path.join(m.dir, 'app.log');
        fs.writeFileSync(file, logData(4 * MiB));
        fill(m.dir);
        execFileSync('mount', ['-o', 'remount,ro', m.dir]);
        try {
          for (const args of [[], ['--no-stash', '--yes'], ['-k']]) {
            const before = [treeHash(m.dir), treeHash(stash.dir)];
            const report = onlyReport(run(['--json', '--stash', stash.dir, ...args, file]), 1);
            expect(report.error, args.join(' ')).toMatchObject({ code: 'READ_ONLY' });
            expect(report.error.message).toMatch(/read-only filesystem/);
            expect([treeHash(m.dir), treeHash(stash.dir)]).toEqual(before);
          }
        } finally {
          execFileSync('mount', ['-o', 'remount,rw', m.dir]);
          fs.rmSync(file);
          fs.rmSync(path.join(m.dir, '.filler'));
        }
      });
    },
  );

  describe('names', () => {
    let m: Mounted;
    let dir: string;
    beforeAll(() => (m = mountFs('tmpfs', 64)));
    afterAll(() => m?.unmount());
    const fresh = () => (dir = fs.mkdtempSync(path.join(m.dir, 't-')));

    it.each([239, 246, 252])('a name of %d bytes (its .gz at most 255): compressed as gzip would, nothing else left', (n) => {
      fresh();
      const file = path.join(dir, `${'n'.repeat(n - 4)}.log`);
      const data = logData(2 * MiB);
      fs.writeFileSync(file, data);
      const report = onlyReport(run(['--json', file]), 0);
      expect(report).toMatchObject({ status: 'compressed', strategy: 'beside' });
      expect(gunzipHash(`${file}.gz`)).toBe(sha256(data));
      expect(fs.readdirSync(dir)).toEqual([`${path.basename(file)}.gz`]);
    });

    it('a name whose .gz would pass 255 bytes: exit 1 NAME_TOO_LONG up front, nothing touched', () => {
      fresh();
      const file = path.join(dir, `${'n'.repeat(249)}.log`);
      fs.writeFileSync(file, logData(MiB));
      const before = treeHash(dir);
      const report = onlyReport(run(['--json', file]), 1);
      expect(report.error).toMatchObject({ code: 'NAME_TOO_LONG' });
      expect(treeHash(dir)).toBe(before);
    });
  });
});
