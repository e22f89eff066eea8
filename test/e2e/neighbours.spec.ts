// logrotate renames FILE to FILE.1 and creates a new FILE in the middle of a run: the job follows the
// inode it read, finishes under the file's new name (FILE.1.gz), and leaves the new FILE alone.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STEP } from '../../src/steps/step-names.js';
import { atStep, fill, fillLeaving, gunzipHash, logData, mountFs, mountSkipReason, onlyReport, run, sha256, warnSkip, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

describe.skipIf(warnSkip(mountSkipReason()))('logrotate renames FILE mid-run', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));
  const mount = (mib: number) => {
    const m = mountFs('tmpfs', mib);
    mounts.push(m);
    return m;
  };

  it.each([
    // From its first cut on, block mode has FILE off its name: logrotate finds none to rename, and a writer starts a new one.
    ['block mode, before its first cut', ['-m', '1M', '--no-stash'], false, STEP.hide],
    ['through a safety copy, after the rewrite', ['--stash', 'STASH'], true, 'verify the .gz against the bytes read'],
    ['in place, after the rewrite', ['--no-stash', '--yes'], true, 'verify the .gz against the bytes read'],
    ['through a safety copy, before the rewrite', ['--stash', 'STASH'], true, 'rewrite FILE in place with the .gz'],
  ])('%s: the job ends as FILE.1.gz, the new FILE is untouched', async (_name, args, full, step) => {
    const m = mount(24);
    const stash = mount(16).dir;
    const file = path.join(m.dir, 'app.log');
    const original = logData(6 * MiB);
    fs.writeFileSync(file, original);
    if (full) fillLeaving(m.dir, 64 * 1024);
    const fresh = Buffer.from('the new log logrotate created\n');
    const r = await atStep([...args.map((a) => (a === 'STASH' ? stash : a)), file], step, () => {
      fs.renameSync(file, `${file}.1`);
      fs.writeFileSync(file, fresh);
    });
    expect(r.code, r.output).toBe(0);
    expect(gunzipHash(`${file}.1.gz`)).toBe(sha256(original));
    expect(fs.readFileSync(file).equals(fresh)).toBe(true);
    expect(fs.readdirSync(m.dir).filter((f) => f !== '.filler').sort()).toEqual(['app.log', 'app.log.1.gz']);
    expect(fs.readdirSync(stash)).toEqual([]);
  });
});

describe.skipIf(warnSkip(mountSkipReason()))('a writer that opens, appends and closes, aimed at the cut of a rewrite in place', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  it.each([
    ['through a safety copy', true],
    ['in place', false],
  ])('%s: the line is never cut away; FILE holds the original and the line, and a rerun compresses both', async (_name, withStash) => {
    const m = mountFs('tmpfs', 24);
    mounts.push(m);
    const stash = mountFs('tmpfs', 16);
    mounts.push(stash);
    const file = path.join(m.dir, 'app.log');
    const original = logData(6 * MiB);
    fs.writeFileSync(file, original);
    fillLeaving(m.dir, 64 * 1024);
    const line = Buffer.from('a line appended just before the cut\n');
    const args = withStash ? ['--stash', stash.dir] : ['--no-stash', '--yes'];
    const r = await atStep([...args, file], "cut FILE to the .gz's length, fsync", () => fs.appendFileSync(file, line));
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/was appended to while it was rewritten/);
    const whole = Buffer.concat([original, line]);
    expect(fs.readFileSync(file).equals(whole)).toBe(true);
    const again = run([...args, file]);
    expect(again.code, again.stderr).toBe(0);
    expect(gunzipHash(`${file}.gz`)).toBe(sha256(whole));
  });
});

describe.skipIf(warnSkip(mountSkipReason()))('a writer that opens, appends and closes, aimed at every step boundary', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  /** The steps the run stops at, in order (each block of a repeated step once is enough: the first). */
  const stopsOf = (steps: { name: string; repeat?: unknown }[]) => steps.filter((s) => s.name !== 'read and compress' && !s.repeat).map((s) => s.name);

  it.each([
    ['beside, streamed', ['--no-stash'], false],
    ['through a safety copy', ['--stash', 'STASH'], true],
    ['in place', ['--no-stash', '--yes'], true],
    ['block mode', ['-m', '1M', '--no-stash'], false],
  ])('%s: at each step, the line and every original byte end up in FILE.gz or FILE, in order', async (_name, args, full) => {
    const prepare = () => {
      const m = mountFs('tmpfs', 24);
      const stash = mountFs('tmpfs', 16);
      mounts.push(m, stash);
      const file = path.join(m.dir, 'app.log');
      fs.writeFileSync(file, logData(4 * MiB));
      if (full) fillLeaving(m.dir, 64 * 1024);
      return { m, file, argv: [...args.map((a) => (a === 'STASH' ? stash.dir : a)), file] };
    };
    const probe = prepare();
    const steps = stopsOf(onlyReport(run(['--simulate', '--json', ...probe.argv]), 0).steps);
    expect(steps.length).toBeGreaterThan(2);
    const line = Buffer.from('a line appended by a writer that holds no descriptor\n');
    const wrong: string[] = [];
    for (const step of steps) {
      const { file, argv } = prepare();
      const original = fs.readFileSync(file);
      const r = await atStep(argv, step, () => fs.appendFileSync(file, line));
      const gz = fs.existsSync(`${file}.gz`) ? execFileSync('gzip', ['-dc', `${file}.gz`], { maxBuffer: 2 ** 30 }) : Buffer.alloc(0);
      const left = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
      if (!Buffer.concat([gz, left]).equals(Buffer.concat([original, line])))
        wrong.push(`appended at "${step}": exit ${r.code}, .gz ${gz.length} bytes of content, FILE ${left.length} bytes; ${r.output.split('\n').filter((l) => l.includes('error')).join(' / ')}`);
      mounts.splice(0).forEach((m) => m.unmount());
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});

describe.skipIf(warnSkip(mountSkipReason()))('a writer that appends after the streamed .gz is renamed in, on a disk then full', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  it('no room to catch up with the appended bytes: FILE and the .gz are both kept, and the run says so (it planned again on a closed FILE: EBADF)', async () => {
    const m = mountFs('tmpfs', 24);
    mounts.push(m);
    const file = path.join(m.dir, 'app.log');
    const original = logData(4 * MiB);
    fs.writeFileSync(file, original);
    fillLeaving(m.dir, 2 * MiB);
    // Lines that compress to nothing less than themselves, then not a block free for their member.
    const tail = Buffer.from(Array.from({ length: MiB / 64 }, (_, i) => `${i} ${sha256(Buffer.from(String(i)))}\n`.padEnd(64, '.')).join('').slice(0, MiB));
    const r = await atStep(['--no-stash', file], 'remove FILE', () => {
      fs.appendFileSync(file, tail);
      fill(m.dir, '.filler2');
    });
    expect(r.code, r.output).toBe(1);
    expect(r.output).not.toMatch(/EBADF|planning again/);
    expect(r.output).toMatch(/no space left on device/);
    expect(fs.readFileSync(file).equals(Buffer.concat([original, tail]))).toBe(true);
    expect(gunzipHash(`${file}.gz`)).toBe(sha256(original));
  });
});
