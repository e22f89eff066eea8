// logrotate renames FILE to FILE.1 and creates a new FILE in the middle of a run: the job follows the
// inode it read, finishes under the file's new name (FILE.1.gz), and leaves the new FILE alone.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atStep, fillLeaving, gunzipHash, logData, mountFs, mountSkipReason, run, sha256, warnSkip, type Mounted } from './helpers.js';

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
    ['block mode, at a cut', ['-m', '1M', '--no-stash'], false, 'block 4: cut it off FILE, fsync'],
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
