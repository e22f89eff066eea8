// The plan's custody claims checked against the disk: the run stops itself at each step it reaches
// (CMEMGZIP_STOP_AT_STEPS=1), and there every complete copy the step claims (FILE, the .gz, the safety copy,
// FILE's head with the parts) is read back and must give the original bytes. Only "memory" cannot be looked at.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, gunzipHash, mountFs, mountSkipReason, onlyReport, run, sha256, sleep, start, stateOf, warnSkip, watch, writeLog, type Mounted } from './helpers.js';
import { hiddenName } from '../../src/steps/hide-source.js';

const MiB = 2 ** 20;

interface PlannedStep {
  name: string;
  copies: string[];
  repeat?: { from: number; to: number; each: string[] };
}

/** Where a run keeps what it writes: FILE, its .gz, the folders a safety copy or parts can be in. */
interface Where {
  file: string;
  output: string;
  stash?: string;
  blockSize?: number;
}

/** Every file below dir. */
const filesBelow = (dir: string): string[] =>
  fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)).filter((f) => fs.statSync(f).isFile()) : [];

const gunzip = (file: string) => {
  try {
    return zlib.gunzipSync(fs.readFileSync(file));
  } catch {
    return undefined;
  }
};

/** What a place holds of the original, as (offset, bytes) pieces. */
function pieces(place: string, w: Where): { at: number; bytes: Buffer }[] {
  const dir = path.dirname(w.file);
  // FILE is its inode: block mode moves it off its name before the first cut.
  const file = [hiddenName(w.file), w.file].find((f) => fs.existsSync(f));
  if (place === 'file') return file ? [{ at: 0, bytes: fs.readFileSync(file) }] : [];
  if (place === 'gz' || place === 'ram-gz') {
    const temp = path.join(path.dirname(w.output), `.${path.basename(w.output)}.cmemgzip-tmp`);
    return [w.output, temp, w.file].flatMap((f) => (fs.existsSync(f) ? [gunzip(f)] : [])).flatMap((bytes) => (bytes ? [{ at: 0, bytes }] : []));
  }
  // A safety copy, or block mode's parts: beside FILE, or in the stash until the journal moves beside FILE
  // (the plan counts them as in the stash to the end: only the run sees when FILE's disk has room).
  const where = place === 'parts' ? [dir] : w.blockSize ? [w.stash!, dir] : [w.stash!];
  const found = where.flatMap((d) => filesBelow(d)).filter((f) => f.endsWith('.gz') && !f.includes('.filler') && f !== w.output && !f.endsWith('cmemgzip-tmp'));
  return found.flatMap((f) => {
    const bytes = gunzip(f);
    const part = /part-(\d{8})\.gz$/.exec(f);
    if (!bytes || (part && w.blockSize === undefined)) return [];
    return [{ at: part ? Number(part[1]) * w.blockSize! : 0, bytes }];
  });
}

/** Whether the places of one copy, together, hold every byte of original, each piece where it belongs. */
function holds(copy: string, w: Where, original: Buffer): boolean {
  const places = copy.split('+');
  if (places.includes('memory')) return true; // this process's memory: the one place a test cannot read
  const good = places.flatMap((p) => pieces(p, w)).filter((p) => p.bytes.equals(original.subarray(p.at, p.at + p.bytes.length)));
  const ranges = good.map((p) => [p.at, p.at + p.bytes.length]).sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [from, to] of ranges) if (from <= covered) covered = Math.max(covered, to);
  return covered >= original.length;
}

/** The steps the run stops at, in order: the planned ones (less the read done before the plan), each block step of a repeated one. */
function stops(planned: PlannedStep[]): PlannedStep[] {
  const list = planned[0]?.name === 'read and compress' ? planned.slice(1) : planned;
  return list.flatMap((s) => (s.repeat ? Array.from({ length: (Math.abs(s.repeat.to - s.repeat.from) + 1) * s.repeat.each.length }, () => s) : [s]));
}

describe.skipIf(warnSkip(mountSkipReason()))('custody: at each step, the copies it claims are on the disk', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));
  const mount = (kind: 'tmpfs' | 'ext4', mib: number) => {
    const m = mountFs(kind, mib);
    mounts.push(m);
    return m;
  };

  /** holed: the file's first 2 MiB a hole, so that at 0 free FILE is removed before its .gz is written. */
  const cases: { name: string; full: boolean; args: (stash: string) => string[]; stash?: 'tmpfs' | 'ext4'; blockSize?: number; holed?: boolean }[] = [
    { name: 'beside, streamed', full: false, args: () => ['--no-stash'] },
    { name: 'stash on a disk', full: true, args: (s) => ['--stash', s], stash: 'ext4' },
    { name: 'stash in RAM', full: true, args: (s) => ['--stash', s], stash: 'tmpfs' },
    { name: 'in place', full: true, args: () => ['--no-stash', '--yes'] },
    { name: 'in place, FILE unlinked first (a hole at its head)', full: true, args: () => ['--no-stash', '--yes'], holed: true },
    { name: 'stash in RAM, FILE unlinked first (a hole at its head)', full: true, args: (s) => ['--stash', s], stash: 'tmpfs', holed: true },
    { name: 'blocks, journal beside', full: false, args: () => ['-m', '1M', '--no-stash'], blockSize: MiB },
    { name: 'blocks, one-block window', full: true, args: () => ['-m', '1M', '--no-stash', '--yes'], blockSize: MiB },
    { name: 'blocks, journal in a RAM stash', full: true, args: (s) => ['-m', '1M', '--stash', s], stash: 'tmpfs', blockSize: MiB },
    { name: '--copytruncate beside', full: false, args: () => ['--copytruncate'] },
    { name: '--copytruncate through a stash', full: true, args: (s) => ['--copytruncate', '--stash', s], stash: 'tmpfs' },
  ];

  it.each(cases)('$name', async ({ full, args, stash, blockSize, holed }) => {
    const m = mount('tmpfs', 32);
    const file = path.join(m.dir, 'app.log');
    writeLog(file, 6 * MiB);
    if (holed) {
      const data = fs.readFileSync(file).fill(0, 0, 2 * MiB);
      const fd = fs.openSync(file, 'w');
      fs.writeSync(fd, data.subarray(2 * MiB), 0, 4 * MiB, 2 * MiB);
      fs.closeSync(fd);
    }
    const original = fs.readFileSync(file);
    if (full) fill(m.dir);
    const stashDir = stash ? mount(stash, 32).dir : undefined;
    const w: Where = { file, output: `${file}.gz`, stash: stashDir, blockSize };
    const argv = [...args(stashDir ?? ''), file];
    const planned = onlyReport(run(['-s', '--json', ...argv]), 0).steps as PlannedStep[];
    if (holed) expect(planned.map((p) => p.name)).toContain('remove FILE');
    const expected = stops(planned);

    const child = watch(start(['--json', ...argv], { env: { CMEMGZIP_STOP_AT_STEPS: '1' } }));
    const seen: string[] = [];
    const wrong: string[] = [];
    const stopLines = () => [...child.output().matchAll(/^stopped at: (.*)$/gm)].map((x) => x[1]);
    for (;;) {
      // The run prints the step it reached, then stops itself: wait for the line, then for the stop.
      while (!child.done() && stopLines().length <= seen.length) await Promise.race([sleep(2), child.exited]);
      if (child.done()) break;
      while (stateOf(child.child.pid!) !== 'T' && !child.done()) await sleep(1);
      const name = stopLines()[seen.length];
      const step = expected[seen.length];
      seen.push(name);
      if (!step) wrong.push(`stop ${seen.length}, "${name}": the plan has no step here`);
      else if (!step.repeat && step.name !== name) wrong.push(`stop ${seen.length}: "${name}", where the plan has "${step.name}"`);
      // A step's copies hold for the whole of it: from its start (now) to the start of the next (the end of the last one).
      for (const [when, s] of [['during', step], ['at the end of', expected[seen.length - 2]]] as const)
        for (const copy of s?.copies ?? []) if (!holds(copy, w, original)) wrong.push(`stop ${seen.length}, ${when} "${s!.name}": ${copy} does not hold FILE's bytes`);
      child.child.kill('SIGCONT');
    }
    for (const copy of expected.at(-1)?.copies ?? []) if (!holds(copy, w, original)) wrong.push(`at the end of "${expected.at(-1)!.name}": ${copy} does not hold FILE's bytes`);
    const { code } = await child.exited;
    expect(code, child.output()).toBe(0);
    expect(wrong).toEqual([]);
    expect(seen.length).toBe(expected.length);
    expect(gunzipHash(w.output)).toBe(sha256(original));
  }, 120_000);
});
