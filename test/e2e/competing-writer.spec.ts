// Other writers at work during a run: one grabbing every freed block of the full filesystem, one appending to FILE itself.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  fillLeaving,
  freeBytes,
  gunzipHash,
  logData,
  mountFs,
  mountSkipReason,
  sha256,
  sha256File,
  sleep,
  start,
  warnSkip,
  watch,
  type Mounted,
  type Watched,
} from './helpers.js';

const MiB = 2 ** 20;
const SIZE = 32 * MiB;

/** Waits for "go" on stdin, then writes 1 KiB blocks to its file for ever, taking any block the filesystem frees. */
const HOG = `
const fs = require('node:fs');
const fd = fs.openSync(process.argv[1], 'a');
const block = Buffer.alloc(1024, 120);
process.stdin.once('data', () => { for (;;) { try { fs.writeSync(fd, block); } catch {} } });
process.stdout.write('ready\\n');
`;

/** On "go", appends numbered lines to its file (open, append, close, as a cron job's >> would) until "stop"; then says how many. */
const APPENDER = `
const fs = require('node:fs');
let n = 0, stopped = false;
const tick = () => {
  if (stopped) return process.stdout.write('appended ' + n + '\\n', () => process.exit(0));
  try {
    fs.appendFileSync(process.argv[1], 'appended line ' + n + '\\n');
    n++;
  } catch {}
  setTimeout(tick, 1);
};
process.stdin.on('data', (d) => (String(d).includes('stop') ? (stopped = true) : tick()));
process.stdout.write('ready\\n');
`;

type Strategy = 'beside' | 'stash' | 'in-place';

describe.skipIf(warnSkip(mountSkipReason()))('competing writers', () => {
  const mounts: Mounted[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });
  afterAll(() => mounts.forEach((m) => m.unmount()));

  const mount = (kind: 'tmpfs' | 'ext4', MiBs: number) => {
    const m = mountFs(kind, MiBs);
    mounts.push(m);
    return m;
  };

  /** A helper process running one of the scripts above, once it is ready for "go". */
  async function helper(script: string, target: string): Promise<Watched> {
    const w = watch(spawn(process.execPath, ['-e', script, target], { stdio: ['pipe', 'pipe', 'pipe'] }));
    children.push(w.child);
    await w.waitFor('ready', 10_000);
    return w;
  }

  function launch(args: string[]): Watched {
    const w = watch(start(args));
    children.push(w.child);
    return w;
  }

  for (const kind of ['tmpfs', 'ext4'] as const)
    it.each(['beside', 'stash', 'in-place'] as Strategy[])(
      `${kind}, %s, a writer taking every freed block: FILE.gz complete, or FILE intact with exit 1 and ENOSPC; never half`,
      async (strategy) => {
        const disk = mount(kind, 64);
        const stash = mount('tmpfs', 16);
        const file = path.join(disk.dir, 'app.log');
        const data = logData(SIZE);
        fs.writeFileSync(file, data);
        fillLeaving(disk.dir, strategy === 'beside' ? 8 * MiB : 0);
        const hog = await helper(HOG, path.join(disk.dir, 'hog'));
        // Beside with --yes: when the hog wins the race, the fallback to in place is allowed to finish.
        const args = strategy === 'stash' ? ['--stash', stash.dir] : ['--no-stash', '--yes'];
        const run = launch([...args, file]);
        // Beside needs its room when it plans; from then on the hog races it for every block.
        await run.waitFor(`strategy: ${strategy}`);
        hog.child.stdin!.write('go\n');
        const { code } = await run.exited;
        hog.child.kill('SIGKILL');
        const out = run.output();
        const entries = fs.readdirSync(disk.dir).filter((n) => n !== 'lost+found').sort();
        if (code === 0) {
          expect(entries).toEqual(['.filler', 'app.log.gz', 'hog']);
          expect(gunzipHash(`${file}.gz`)).toBe(sha256(data));
        } else {
          expect(code, out).toBe(1);
          expect(out).toMatch(/error: .*no space left on device/i);
          expect(entries).toEqual(['.filler', 'app.log', 'hog']);
          expect(sha256File(file)).toBe(sha256(data));
        }
        expect(fs.readdirSync(stash.dir)).toEqual([]);
        console.log(`competing writer, ${kind}, ${strategy}: ${code === 0 ? 'compressed' : 'refused with ENOSPC, FILE intact'}`);
      },
    );

  /** Starts a beside run, stops it after its plan, lets the hog take every free byte, and lets it go on. */
  async function besideRobbed(kind: 'tmpfs' | 'ext4', args: string[]) {
    const disk = mount(kind, 64);
    const file = path.join(disk.dir, 'app.log');
    const data = logData(SIZE);
    fs.writeFileSync(file, data);
    fillLeaving(disk.dir, 8 * MiB);
    const hog = await helper(HOG, path.join(disk.dir, 'hog'));
    const run = launch([...args, file]);
    await run.waitFor('strategy: beside');
    await run.freeze();
    hog.child.stdin!.write('go\n');
    while (freeBytes(disk.dir) >= 64 * 1024) await sleep(5);
    run.child.kill('SIGCONT');
    const { code } = await run.exited;
    const entries = fs.readdirSync(disk.dir).filter((n) => n !== 'lost+found').sort();
    return { code, out: run.output(), entries, file, data };
  }

  it.each(['tmpfs', 'ext4'] as const)('%s, beside, the writer takes all the room between the plan and the write: plans again and finishes in place', async (kind) => {
    const { code, out, entries, file, data } = await besideRobbed(kind, ['--no-stash', '--yes']);
    expect(code, out).toBe(0);
    expect(out).toMatch(/no space left on device while writing the .gz beside it.*; planning again with what is free now/);
    expect(out).toMatch(/strategy: in-place/);
    expect(entries).toEqual(['.filler', 'app.log.gz', 'hog']);
    expect(gunzipHash(`${file}.gz`)).toBe(sha256(data));
  });

  it('beside robbed of its room, no stash and no consent to the in-place window: exit 1, FILE intact, no temporary', async () => {
    const { code, out, entries, file, data } = await besideRobbed('tmpfs', ['--no-stash']);
    expect(code, out).toBe(1);
    expect(out).toMatch(/planning again with what is free now/);
    expect(out).toMatch(/error: .*needs consent and there is no terminal/);
    expect(entries).toEqual(['.filler', 'app.log', 'hog']);
    expect(sha256File(file)).toBe(sha256(data));
  });

  it('a file appended to while it is read: refused (CHANGED, exit 1), FILE keeps the original and every appended line', async () => {
    const disk = mount('tmpfs', 64);
    const file = path.join(disk.dir, 'app.log');
    const data = logData(40 * MiB);
    fs.writeFileSync(file, data);
    fillLeaving(disk.dir, 8 * MiB);
    const appender = await helper(APPENDER, file);
    const run = launch(['--no-stash', file]);
    // After the holder check (the appender never keeps FILE open), just before FILE is opened and read.
    await run.waitFor('inodes free');
    appender.child.stdin!.write('go\n');
    const { code } = await run.exited;
    appender.child.stdin!.write('stop\n');
    await appender.exited;
    const appended = Number(/appended (\d+)/.exec(appender.output())![1]);
    expect(code, run.output()).toBe(1);
    // Almost always "while it was read"; an append landing before the open is caught there instead.
    expect(run.output()).toMatch(/error: .*changed (while it was read|between the check and the open)/);
    expect(appended).toBeGreaterThan(0);
    const tail = Array.from({ length: appended }, (_, i) => `appended line ${i}\n`).join('');
    const now = fs.readFileSync(file);
    expect(now.length).toBe(data.length + tail.length);
    expect(sha256(now.subarray(0, data.length))).toBe(sha256(data));
    expect(now.subarray(data.length).toString()).toBe(tail);
    expect(fs.readdirSync(disk.dir).sort()).toEqual(['.filler', 'app.log']);
  });

  it.each([
    ['in-place', ['--no-stash', '--yes'], 'entering the in-place window'],
    ['stash', ['--stash'], 'stash copy verified'],
  ])('%s: an appender that opens, appends and closes during the rewrite loses no line', async (_name, args, cue) => {
    const disk = mount('tmpfs', 64);
    const stash = mount('tmpfs', 16);
    const file = path.join(disk.dir, 'app.log');
    const data = logData(40 * MiB);
    fs.writeFileSync(file, data);
    fillLeaving(disk.dir, 256 * 1024);
    const appender = await helper(APPENDER, file);
    const run = launch([...args.map((a) => (a === '--stash' ? `--stash=${stash.dir}` : a)), file]);
    await run.waitFor(cue);
    appender.child.stdin!.write('go\n');
    const { code } = await run.exited;
    appender.child.stdin!.write('stop\n');
    await appender.exited;
    const appended = Number(/appended (\d+)/.exec(appender.output())![1]);
    const tail = Array.from({ length: appended }, (_, i) => `appended line ${i}\n`).join('');
    const now = fs.readFileSync(file);
    if (code === 0) {
      // Every append landed after the rename: the .gz is whole and the lines are in a new FILE.
      expect(gunzipHash(`${file}.gz`)).toBe(sha256(data));
      expect(now.toString()).toBe(tail);
    } else {
      expect(run.output()).toMatch(/appended to while it was rewritten|changed|verification of .* failed: size is/);
      expect(sha256(now.subarray(0, data.length))).toBe(sha256(data));
      expect(now.subarray(data.length).toString()).toBe(tail);
      expect(fs.existsSync(`${file}.gz`)).toBe(false);
    }
    expect(fs.readdirSync(stash.dir)).toEqual([]);
    console.log(`appender during the ${_name} rewrite: ${appended} lines appended, ${code === 0 ? 'all after the rename' : 'run refused, all kept after the original'}`);
  });
});
