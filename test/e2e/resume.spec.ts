// What a killed run leaves (a temporary, a stash in each phase) never blocks a later run: it is found, reported, and finished or cleaned.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stateFolderName } from '../../src/probe/own-folder.js';
import type { StashManifest } from '../../src/steps/stash.js';
import { fill, fillLeaving, gunzipHash, jsonLines, mountFs, mountSkipReason, run, sha256, sha256File, sleep, start, STATE_DIR, warnSkip, watch, writeLog, type Mounted, type Watched } from './helpers.js';

const MiB = 2 ** 20;
/** Large enough that the step a kill aims at (a verify) lasts far longer than the kill takes to land. */
const SIZE = 40 * MiB;

describe.skipIf(warnSkip(mountSkipReason()))('leftovers of a killed run', () => {
  let disk: Mounted;
  let stash: Mounted;
  let file: string;
  let gz: string;
  let temp: string;
  const live: Watched[] = [];

  beforeAll(() => {
    disk = mountFs('tmpfs', 64);
    stash = mountFs('tmpfs', 16);
    file = path.join(disk.dir, 'app.log');
    gz = `${file}.gz`;
    temp = path.join(disk.dir, '.app.log.gz.cmemgzip-tmp');
  });
  afterEach(() => {
    for (const w of live.splice(0)) if (!w.done()) w.child.kill('SIGKILL');
  });
  afterAll(() => {
    disk?.unmount();
    stash?.unmount();
  });

  const stashArgs = () => ['--stash', stash.dir];
  const stashFolder = () => path.join(stash.dir, stateFolderName());
  const stashEntries = () => (fs.existsSync(stashFolder()) ? fs.readdirSync(stashFolder()).sort() : []);
  const folder = () => fs.readdirSync(disk.dir).sort();
  const manifestPath = () => path.join(stashFolder(), stashEntries().find((n) => n.endsWith('.json'))!);
  const manifest = () => JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as StashManifest;
  const stashData = () => path.join(stashFolder(), stashEntries().find((n) => n.endsWith('.gz'))!);

  /** A fresh log on a full filesystem (room for the .gz beside when asked); returns its content. */
  function prepare(room = 0): Buffer {
    for (const dir of [disk.dir, stash.dir]) for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    writeLog(file, SIZE);
    fillLeaving(disk.dir, room);
    return fs.readFileSync(file);
  }

  /** Starts a run and kill -9s it the moment it has printed `line` and `ready()` holds (a file it writes exists, say). */
  async function killAfter(args: string[], line: string, ready = () => true): Promise<string> {
    const w = watch(start([...args, file]));
    live.push(w);
    await w.waitFor(line);
    const deadline = performance.now() + 10_000;
    while (!ready() && !w.done() && performance.now() < deadline) await sleep(1);
    w.child.kill('SIGKILL');
    await w.exited;
    return w.output();
  }

  /** A run killed right after its rewrite (while verifying it): a 'rewriting' manifest, FILE holding the .gz bytes, not renamed. */
  async function killedWhileRewriting(): Promise<Buffer> {
    const original = prepare();
    const out = await killAfter(stashArgs(), 'rewrote ');
    expect(out).not.toContain('renamed it to');
    expect(manifest().phase).toBe('rewriting');
    return original;
  }

  /** The end of every successful rerun: FILE.gz decompresses (system gzip) to the original, nothing else is left. */
  function expectFinished(original: Buffer): void {
    expect(folder()).toEqual(['.filler', 'app.log.gz']);
    expect(gunzipHash(gz)).toBe(sha256(original));
    expect(stashEntries()).toEqual([]);
  }

  it('a leftover temporary of a killed beside run is reported, removed, and the rerun compresses', async () => {
    const original = prepare(8 * MiB);
    await killAfter(['--no-stash'], 'temporary first', () => fs.existsSync(temp));
    expect(folder()).toEqual(['.app.log.gz.cmemgzip-tmp', '.filler', 'app.log']);
    const r = run(['--no-stash', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`removed ${temp}, an unfinished temporary`);
    expectFinished(original);
  });

  it('a stash data file without its manifest (killed while the stash was verified) is reported, removed, and the rerun compresses', async () => {
    const original = prepare();
    await killAfter(stashArgs(), 'writing the stash copy', () => stashEntries().length > 0);
    expect(stashEntries()).toHaveLength(1);
    expect(stashEntries()[0]).toMatch(/^\d+-\d+\.gz$/);
    expect(sha256File(file)).toBe(sha256(original));
    const r = run([...stashArgs(), file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/removed \S+cmemgzip-\d+\/\d+-\d+\.gz, a stash copy without a manifest/);
    expectFinished(original);
  });

  it("a 'rewriting' stash with FILE fully rewritten but not renamed: a plain rerun finishes from the stash", async () => {
    const original = await killedWhileRewriting();
    const left = manifestPath();
    const r = run([...stashArgs(), '--json', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'resumed', output: gz });
    expect(r.stderr).toContain(`found the stash of an interrupted run: ${left}`);
    expectFinished(original);
  });

  it("a half-rewritten FILE whose stash is in a --stash folder: a plain rerun without --stash finds it through the note in the default place", async () => {
    const original = await killedWhileRewriting();
    const half = Buffer.from(original);
    fs.readFileSync(stashData()).copy(half, 0, 0, MiB);
    fs.writeFileSync(file, half);
    const r = run(['--json', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'resumed', output: gz });
    expectFinished(original);
    expect(fs.readdirSync(STATE_DIR)).toEqual([]);
  });

  it("a 'rewriting' stash with FILE half rewritten (.gz head over the original's tail): --resume finishes", async () => {
    const original = await killedWhileRewriting();
    // What a kill during the rewrite itself leaves: the first MiB of the .gz written over the original.
    const half = Buffer.from(original);
    fs.readFileSync(stashData()).copy(half, 0, 0, MiB);
    fs.writeFileSync(file, half);
    const r = run(['--resume', ...stashArgs(), file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('finished from the stash');
    expectFinished(original);
  });

  it("a 'stashed' stash (killed before the rewrite began): reported, removed, and FILE compressed afresh", async () => {
    const original = await killedWhileRewriting();
    // What a kill between the stash and the rewrite leaves: FILE as it was, the manifest still 'stashed'.
    fs.writeFileSync(file, original);
    fs.writeFileSync(manifestPath(), JSON.stringify({ ...manifest(), phase: 'stashed' }));
    const r = run([...stashArgs(), file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toMatch(/removed the stash \S+ of an interrupted run: \S+ was never touched, compressing it afresh/);
    expectFinished(original);
  });

  it('FILE already renamed to FILE.gz but the stash remains: --resume verifies it and removes the stash', async () => {
    const original = await killedWhileRewriting();
    // What a kill between the rename and the stash's removal leaves.
    fs.renameSync(file, gz);
    const r = run(['--resume', ...stashArgs(), '--json', file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'resumed' });
    expectFinished(original);
  });

  it('FILE.gz complete and only the stash data left (killed while removing the stash): a rerun removes it', async () => {
    const original = await killedWhileRewriting();
    fs.renameSync(file, gz);
    fs.rmSync(manifestPath());
    const r = run(['--resume', ...stashArgs(), file]);
    expect(r.stderr).toMatch(/removed \S+cmemgzip-\d+\/\d+-\d+\.gz/);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expectFinished(original);
  });

  it("FILE gone, a partial temporary and a 'rewriting' stash (a copy-on-write run killed mid-write): --resume finishes", async () => {
    const original = await killedWhileRewriting();
    // On btrfs or zfs FILE is unlinked first and the .gz written beside: a kill then leaves exactly this.
    fs.writeFileSync(temp, fs.readFileSync(stashData()).subarray(0, MiB), { mode: 0o600 });
    // Such a run records its temporary's inode in the manifest before FILE is unlinked.
    const st = fs.statSync(temp, { bigint: true });
    fs.writeFileSync(manifestPath(), JSON.stringify({ ...manifest(), output: { ino: Number(st.ino), birth: String(st.birthtimeNs) } }));
    fs.rmSync(file);
    const r = run(['--resume', ...stashArgs(), file]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr).toContain(`removed ${temp}, the unfinished temporary of that run`);
    expectFinished(original);
  });

  it.each([
    ['its stash is written (phase stashed)', 'stash copy verified'],
    ['it rewrites FILE (phase rewriting)', 'rewrote '],
  ])('a second cmemgzip while the first is live and %s: refused, the first finishes intact', async (_phase, line) => {
    const original = prepare();
    const first = watch(start([...stashArgs(), file]));
    live.push(first);
    await first.waitFor(line);
    await first.freeze();
    const second = run([...stashArgs(), '--json', file]);
    expect(second.code, second.stderr).toBe(1);
    expect(jsonLines(second.stdout)[0]).toMatchObject({ error: { code: 'HELD_OPEN', message: expect.stringContaining(`another cmemgzip (PID ${first.child.pid})`) } });
    first.child.kill('SIGCONT');
    expect((await first.exited).code, first.output()).toBe(0);
    expectFinished(original);
  });

  it('--resume with nothing to resume: exit 2 with a message, FILE untouched', () => {
    const original = prepare();
    const r = run(['--resume', ...stashArgs(), file]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/nothing to resume for \S*app\.log/);
    expect(folder()).toEqual(['.filler', 'app.log']);
    expect(sha256File(file)).toBe(sha256(original));
  });

  it.skipIf(warnSkip(spawnSync('strace', ['-V']).error ? 'NO strace: the failure after the stash (writes to FILE made to fail) is SKIPPED' : undefined))(
    'a failure after the stash names it and prints a --resume command that, run as printed, finishes the job (ext4)', () => {
    const ext4 = mountFs('ext4', 64);
    try {
      const log = path.join(ext4.dir, 'app.log');
      writeLog(log, SIZE);
      const original = fs.readFileSync(log);
      fill(ext4.dir);
      // Every write to FILE fails (EIO, injected by strace; an immutable FILE is now refused before the stash):
      // the rewrite fails right after the stash is durable, and so does the put-back, so the stash is kept.
      const failWrites = ['strace', '-f', '-qq', '-o', '/dev/null', '-P', log, '-e', 'trace=pwritev,pwrite64,write', '-e', 'inject=pwritev,pwrite64,write:error=EIO'];
      const r = run([...stashArgs(), log], { prefix: failWrites });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const printed = [...r.stderr.matchAll(/left on purpose (?:on disk|in RAM \(a reboot or power cut empties it\)): (\S+); finish with: (.+)$/gm)];
      expect(printed.map((m) => m[1]).sort()).toEqual(stashEntries().map((n) => path.join(stashFolder(), n)));
      const command = printed[0][2].split(' ');
      expect(command.slice(0, 2)).toEqual(['cmemgzip', '--resume']);
      const again = run(command.slice(1));
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(fs.readdirSync(ext4.dir).sort()).toEqual(['.filler', 'app.log.gz', 'lost+found']);
      expect(gunzipHash(`${log}.gz`)).toBe(sha256(original));
      expect(stashEntries()).toEqual([]);
    } finally {
      ext4.unmount();
    }
  });
});
