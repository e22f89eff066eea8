// End to end at 0 bytes free: each strategy on tmpfs and ext4, several operands, and the options that
// decide where and how the .gz is written (-k, -o, -S, levels, --safe), each checked with system gzip.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fill,
  freeBytes,
  gunzipHash,
  jsonLines,
  mountFs,
  mountSkipReason,
  run,
  sha256File,
  treeHash,
  warnSkip,
  writeLog,
  type Mounted,
} from './helpers.js';

const MiB = 2 ** 20;
const LOG = 12 * MiB;

const mounts: Mounted[] = [];
function mount(kind: 'tmpfs' | 'ext4', sizeMiB: number): Mounted {
  const m = mountFs(kind, sizeMiB);
  mounts.push(m);
  return m;
}

/** Every path below dir, relative, except what mkfs itself puts there. */
function entries(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => !p.startsWith('lost+found')).sort();
}

describe.skipIf(warnSkip(mountSkipReason()))('full disk', () => {
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  for (const kind of ['tmpfs', 'ext4'] as const) {
    describe(`each strategy on ${kind}`, () => {
      const cases = [
        { strategy: 'stash', full: true, args: (stashDir: string) => ['--stash', stashDir] },
        { strategy: 'in-place', full: true, args: () => ['--no-stash', '--yes'] },
        { strategy: 'beside', full: false, args: () => ['--no-stash'] },
      ];
      it.each(cases)('$strategy: FILE becomes a verified FILE.gz and its space comes back', ({ strategy, full, args }) => {
        const m = mount(kind, 40);
        const stash = mount('tmpfs', 16);
        const log = path.join(m.dir, 'app.log');
        const hash = writeLog(log, LOG);
        if (full) fill(m.dir);
        const before = freeBytes(m.dir);

        const r = run(['--json', ...args(stash.dir), log]);

        expect(r.code, r.stderr).toBe(0);
        const [report] = jsonLines(r.stdout);
        expect(report).toMatchObject({ status: 'compressed', strategy, originalBytes: LOG });
        expect(fs.existsSync(log)).toBe(false);
        expect(gunzipHash(`${log}.gz`)).toBe(hash);
        const gzSize = fs.statSync(`${log}.gz`).size;
        expect(gzSize).toBe(report.compressedBytes);
        expect(freeBytes(m.dir) - before).toBeGreaterThanOrEqual(LOG - gzSize - MiB);
        expect(entries(m.dir)).toEqual(full ? ['.filler', 'app.log.gz'] : ['app.log.gz']);
        expect(entries(stash.dir)).toEqual([]);
      });
    });
  }

  it('several operands: a missing one fails (exit 1), the others are still compressed', () => {
    const m = mount('tmpfs', 40);
    const a = path.join(m.dir, 'a.log');
    const b = path.join(m.dir, 'b.log');
    const hashA = writeLog(a, 8 * MiB);
    const hashB = writeLog(b, 6 * MiB);
    fill(m.dir);

    const r = run(['--json', '--no-stash', '--yes', a, path.join(m.dir, 'missing.log'), b]);

    expect(r.code, r.stderr).toBe(1);
    const reports = jsonLines(r.stdout);
    expect(reports.map((x) => x.status)).toEqual(['compressed', 'failed', 'compressed']);
    expect(reports[0].strategy).toBe('in-place');
    expect(reports[1].error).toMatchObject({ code: 'ENOENT' });
    expect(gunzipHash(`${a}.gz`)).toBe(hashA);
    expect(gunzipHash(`${b}.gz`)).toBe(hashB);
    expect(entries(m.dir)).toEqual(['.filler', 'a.log.gz', 'b.log.gz']);
  });

  it('in-place without --yes and without a terminal: refused (exit 1), nothing touched', () => {
    const m = mount('tmpfs', 40);
    const log = path.join(m.dir, 'app.log');
    writeLog(log, LOG);
    fill(m.dir);
    const before = treeHash(m.dir);

    const r = run(['--json', '--no-stash', log]);

    expect(r.code, r.stderr).toBe(1);
    expect(jsonLines(r.stdout)[0].error).toMatchObject({ code: 'WINDOW_REFUSED' });
    expect(treeHash(m.dir)).toBe(before);
  });

  it('--safe refuses strategy 3 (exit 1), nothing touched', () => {
    const m = mount('ext4', 40);
    const log = path.join(m.dir, 'app.log');
    writeLog(log, LOG);
    fill(m.dir);
    const before = treeHash(m.dir);

    const r = run(['--json', '--safe', '--no-stash', '--yes', log]);

    expect(r.code, r.stderr).toBe(1);
    expect(jsonLines(r.stdout)[0].error).toMatchObject({ code: 'NO_STASH' });
    expect(r.stderr).toMatch(/--stash DIR/);
    expect(treeHash(m.dir)).toBe(before);
  });

  describe('-k', () => {
    it('keeps the original when there is room', () => {
      const m = mount('tmpfs', 40);
      const log = path.join(m.dir, 'app.log');
      const hash = writeLog(log, LOG);

      const r = run(['--json', '-k', log]);

      expect(r.code, r.stderr).toBe(0);
      expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'compressed', strategy: 'beside' });
      expect(sha256File(log)).toBe(hash);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
    });

    it('at 0 bytes free fails (exit 1) and touches nothing, even with a stash', () => {
      const m = mount('tmpfs', 40);
      const stash = mount('tmpfs', 16);
      const log = path.join(m.dir, 'app.log');
      writeLog(log, LOG);
      fill(m.dir);
      const before = treeHash(m.dir);

      const r = run(['--json', '-k', '--stash', stash.dir, '--yes', log]);

      expect(r.code, r.stderr).toBe(1);
      expect(jsonLines(r.stdout)[0].error).toMatchObject({ code: 'NO_SPACE' });
      expect(treeHash(m.dir)).toBe(before);
      expect(entries(stash.dir)).toEqual([]);
    });
  });

  describe('-o on another filesystem, from a full one', () => {
    it('to a folder: FILE.gz lands there and all of FILE is freed', () => {
      const m = mount('tmpfs', 40);
      const other = mount('ext4', 24);
      const log = path.join(m.dir, 'app.log');
      const hash = writeLog(log, LOG);
      fill(m.dir);
      const before = freeBytes(m.dir);

      const r = run(['--json', '--no-stash', '-o', other.dir, log]);

      expect(r.code, r.stderr).toBe(0);
      expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'compressed', strategy: 'beside' });
      expect(gunzipHash(path.join(other.dir, 'app.log.gz'))).toBe(hash);
      expect(entries(m.dir)).toEqual(['.filler']);
      expect(entries(other.dir)).toEqual(['app.log.gz']);
      expect(freeBytes(m.dir) - before).toBeGreaterThanOrEqual(LOG);
    });

    it('to a file name', () => {
      const m = mount('tmpfs', 40);
      const other = mount('tmpfs', 16);
      const log = path.join(m.dir, 'app.log');
      const hash = writeLog(log, LOG);
      fill(m.dir);
      const target = path.join(other.dir, 'renamed.gz');

      const r = run(['--json', '--no-stash', '-o', target, log]);

      expect(r.code, r.stderr).toBe(0);
      expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'compressed', output: target });
      expect(gunzipHash(target)).toBe(hash);
      expect(entries(m.dir)).toEqual(['.filler']);
      expect(entries(other.dir)).toEqual(['renamed.gz']);
    });
  });

  it('-S .z names the output FILE.z at 0 bytes free', () => {
    const m = mount('tmpfs', 40);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, LOG);
    fill(m.dir);

    const r = run(['-S', '.z', '--no-stash', '--yes', log]);

    expect(r.code, r.stderr).toBe(0);
    expect(gunzipHash(`${log}.z`)).toBe(hash);
    expect(entries(m.dir)).toEqual(['.filler', 'app.log.z']);
  });

  it('-1, --fast, -6, -9, --best: valid output, --fast is -1, --best is -9, and -9 is smaller than -1', () => {
    const m = mount('tmpfs', 64);
    const levels = ['-1', '--fast', '-6', '-9', '--best'];
    const mtime = new Date('2024-05-06T07:08:09Z');
    const outputs = levels.map((level, i) => {
      const dir = path.join(m.dir, `d${i}`);
      fs.mkdirSync(dir);
      const log = path.join(dir, 'app.log');
      const hash = writeLog(log, 6 * MiB);
      fs.utimesSync(log, mtime, mtime);
      const r = run([level, log]);
      expect(r.code, `${level}: ${r.stderr}`).toBe(0);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
      return fs.readFileSync(`${log}.gz`);
    });
    const [one, fast, six, nine, best] = outputs;
    expect(fast.equals(one)).toBe(true);
    expect(best.equals(nine)).toBe(true);
    expect(six.length).toBeLessThanOrEqual(one.length);
    expect(nine.length).toBeLessThanOrEqual(six.length);
    expect(nine.length).toBeLessThan(one.length);
  });
});
