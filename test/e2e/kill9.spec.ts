// kill -9 at random moments on a full filesystem: the original bytes are always recoverable, and a rerun finishes and cleans up.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fillLeaving, jsonLines, mountFs, mountSkipReason, run, sha256, sleep, start, warnSkip, watch, writeLog, type Mounted, type Watched } from './helpers.js';

const MiB = 2 ** 20;
/** Large enough that a run lasts about half a second on tmpfs, so that kills spread over every step. */
const SIZE = 24 * MiB;

type Kind = 'beside' | 'stash' | 'in-place';

interface Scenario {
  kind: Kind;
  /** Bytes left free after filling: room for the .gz beside, or none. */
  room: number;
  args: (stash: string) => string[];
  /** Lines that start the risky parts: some kills land at a random moment after one of them. */
  tails: string[];
  /** in-place only: printed as the warned window opens; kill -9 inside it is the documented risk, so kills land before. */
  windowLine?: string;
}

const SCENARIOS: Record<Kind, Scenario> = {
  beside: { kind: 'beside', room: 6 * MiB, args: () => ['--no-stash'], tails: ['temporary first'] },
  stash: { kind: 'stash', room: 0, args: (stash) => ['--stash', stash], tails: ['writing the stash copy', 'stash copy verified and durable'] },
  'in-place': { kind: 'in-place', room: 0, args: () => ['--no-stash', '--yes'], tails: ['inodes free'], windowLine: 'entering the in-place window' },
};

/** Every file below dir, as paths relative to it. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** The content's hash through the system's gzip, or undefined when gzip rejects the file (truncated, corrupt). */
function gunzipHashOrNone(gz: string): string | undefined {
  try {
    return sha256(execFileSync('gzip', ['-dc', gz], { maxBuffer: 2 ** 31, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

const hashOrNone = (file: string) => (fs.existsSync(file) ? sha256(fs.readFileSync(file)) : undefined);

/** When, in ms from the start, each of a scenario's tails begins and its run (or, in-place, the part before its window) ends. */
interface Timing {
  tails: number[];
  end: number;
}

class Bench {
  readonly file: string;
  readonly gz: string;
  private live: Watched[] = [];

  constructor(
    readonly m: Mounted,
    readonly stashDir: string,
  ) {
    this.file = path.join(m.dir, 'app.log');
    this.gz = `${this.file}.gz`;
  }

  /** A fresh log on a filesystem filled to sc.room bytes free; returns the log's hash. */
  prepare(sc: Scenario): string {
    for (const name of this.entries()) fs.rmSync(path.join(this.m.dir, name), { recursive: true, force: true });
    expect(filesBelow(this.stashDir)).toEqual([]);
    const hash = writeLog(this.file, SIZE);
    fillLeaving(this.m.dir, sc.room);
    return hash;
  }

  /** The folder's entries, but ext4's own lost+found. */
  entries(): string[] {
    return fs.readdirSync(this.m.dir).filter((n) => n !== 'lost+found').sort();
  }

  launch(sc: Scenario): Watched {
    const w = watch(start([...sc.args(this.stashDir), this.file]));
    this.live.push(w);
    return w;
  }

  killAll(): void {
    for (const w of this.live) if (!w.done()) w.child.kill('SIGKILL');
    this.live = [];
  }

  /** One uninterrupted run: checks the scenario picks its strategy and measures when its steps happen. */
  async calibrate(sc: Scenario): Promise<Timing> {
    this.prepare(sc);
    const t0 = performance.now();
    const w = this.launch(sc);
    const tails: number[] = [];
    for (const line of sc.tails) {
      await w.waitFor(line);
      tails.push(performance.now() - t0);
    }
    if (sc.windowLine) await w.waitFor(sc.windowLine);
    const end = performance.now() - t0;
    const { code } = await w.exited;
    expect(code, w.output()).toBe(0);
    expect(w.output()).toContain(`strategy: ${sc.kind}`);
    return { tails, end: sc.windowLine ? end : performance.now() - t0 };
  }

  /**
   * Starts a run and kill -9s it after a random delay, over the whole run (tail -1) or after sc.tails[tail].
   * Returns the last line printed before the kill, or undefined when the run ended first (or, for
   * in-place, reached its window), so that the caller tries again.
   */
  async killAt(sc: Scenario, tail: number, timing: Timing): Promise<string | undefined> {
    const w = this.launch(sc);
    let span = timing.end;
    if (tail >= 0) {
      await w.waitFor(sc.tails[tail]).catch(() => {});
      span = Math.max(5, timing.end - timing.tails[tail]);
    }
    await sleep(Math.random() * span);
    if (w.done()) return undefined;
    const out = await w.freeze();
    if (w.done()) return undefined;
    if (sc.windowLine && out.includes(sc.windowLine)) {
      w.child.kill('SIGCONT');
      await w.exited;
      return undefined;
    }
    w.child.kill('SIGKILL');
    await w.exited;
    return out.trim().split('\n').at(-1) ?? '';
  }
}

interface Tally {
  trials: Record<Kind, number>;
  lost: number;
  resumed: number;
  problems: string[];
  /** The step each kill landed in, named by the first words of the last line printed. */
  killedAfter: Record<string, number>;
}

/** After a kill: is every byte still somewhere (FILE, FILE.gz or a stash copy, checked with the system's gzip)? */
function recoverable(b: Bench, hash: string): boolean {
  const stashCopies = filesBelow(b.stashDir).filter((f) => f.endsWith('.gz'));
  return hashOrNone(b.file) === hash || gunzipHashOrNone(b.gz) === hash || stashCopies.some((f) => gunzipHashOrNone(path.join(b.stashDir, f)) === hash);
}

/** Reruns as an operator would and checks the end state: a valid FILE.gz, and nothing else left anywhere. */
function rerunAndCheck(b: Bench, sc: Scenario, hash: string, preferResume: boolean, tally: Tally, label: string): void {
  const fileThere = fs.existsSync(b.file);
  const rewriting = filesBelow(b.stashDir).some((f) => f.endsWith('.json') && fs.readFileSync(path.join(b.stashDir, f), 'utf8').includes('"rewriting"'));
  let extra: string[] = [];
  if (!fileThere) extra = ['--resume'];
  // Killed between the rename to FILE.gz and the unlink of FILE: both are whole, and gzip's rule asks for -f.
  else if (fs.existsSync(b.gz)) extra = ['-f'];
  else if (rewriting && preferResume) extra = ['--resume'];
  const r = run([...sc.args(b.stashDir), ...extra, '--json', b.file]);
  const report = jsonLines(r.stdout)[0] ?? {};
  if (report.status === 'resumed') tally.resumed++;
  // --resume with nothing to finish is a warning (2): the earlier run had completed before the kill.
  const expectedCode = !fileThere && !rewriting ? 2 : 0;
  const entries = b.entries();
  const problems = [
    r.code !== expectedCode && `rerun ${extra.join(' ')} exited ${r.code}, expected ${expectedCode}: ${r.stdout}${r.stderr}`,
    fs.existsSync(b.file) && 'FILE is still there after the rerun',
    gunzipHashOrNone(b.gz) !== hash && 'FILE.gz does not decompress to the original after the rerun',
    entries.join(',') !== '.filler,app.log.gz' && `left in the folder: ${entries.join(', ')}`,
    filesBelow(b.stashDir).length > 0 && `left in the stash: ${filesBelow(b.stashDir).join(', ')}`,
  ].filter((p): p is string => typeof p === 'string');
  tally.problems.push(...problems.map((p) => `${label}: ${p}`));
}

async function trials(b: Bench, plan: [Kind, number][], tally: Tally): Promise<void> {
  for (const [kind, count] of plan) {
    const sc = SCENARIOS[kind];
    const timing = await b.calibrate(sc);
    for (let i = 0; i < count; i++) {
      let hash = '';
      let lastLine: string | undefined;
      for (let attempt = 0; attempt < 8 && lastLine === undefined; attempt++) {
        hash = b.prepare(sc);
        lastLine = await b.killAt(sc, (i % (sc.tails.length + 1)) - 1, timing);
      }
      const label = `${b.m.kind} ${kind} trial ${i + 1} (killed after "${lastLine}")`;
      expect(lastLine, `${label}: never managed to kill a run before it ended`).toBeDefined();
      tally.trials[kind]++;
      const words = lastLine!.replace(/^\d\d:\d\d:\d\d (warning: )?/, '').replace(/\/\S+/g, 'X').split(' ').slice(0, 3).join(' ');
      const step = `${kind}: ${words || '(nothing printed yet)'}`;
      tally.killedAfter[step] = (tally.killedAfter[step] ?? 0) + 1;
      if (!recoverable(b, hash)) {
        tally.lost++;
        tally.problems.push(`${label}: LOST: FILE, FILE.gz and the stash all fail to give the original; folder: ${b.entries().join(', ')}; stash: ${filesBelow(b.stashDir).join(', ')}`);
        continue;
      }
      // Before its window an in-place run has written nothing: FILE itself must be whole.
      if (sc.windowLine && hashOrNone(b.file) !== hash) tally.problems.push(`${label}: killed before the in-place window, yet FILE is not intact`);
      rerunAndCheck(b, sc, hash, i % 2 === 0, tally, label);
    }
  }
}

function summary(where: string, t: Tally): string {
  const total = t.trials.beside + t.trials.stash + t.trials['in-place'];
  const steps = Object.entries(t.killedAfter).map(([step, n]) => `  ${n} x after "${step}"`);
  return [
    `kill -9 on ${where}: ${total} trials (beside ${t.trials.beside}, stash ${t.trials.stash}, in-place ${t.trials['in-place']}), ${t.lost} lost, ${t.resumed} resumed from stash`,
    ...steps,
  ].join('\n');
}

describe.skipIf(warnSkip(mountSkipReason()))('kill -9 at random moments on a full filesystem', () => {
  const mounts: Mounted[] = [];
  const benches: Bench[] = [];
  afterEach(() => benches.forEach((b) => b.killAll()));
  afterAll(() => mounts.forEach((m) => m.unmount()));

  const bench = (kind: 'tmpfs' | 'ext4') => {
    const m = mountFs(kind, 64);
    mounts.push(m);
    const stash = mountFs('tmpfs', 16);
    mounts.push(stash);
    const b = new Bench(m, stash.dir);
    benches.push(b);
    return b;
  };
  const newTally = (): Tally => ({ trials: { beside: 0, stash: 0, 'in-place': 0 }, lost: 0, resumed: 0, problems: [], killedAfter: {} });

  it('tmpfs: 24 trials, nothing lost, every rerun finishes and leaves nothing behind', async () => {
    const tally = newTally();
    await trials(bench('tmpfs'), [['beside', 8], ['stash', 10], ['in-place', 6]], tally);
    console.log(summary('tmpfs', tally));
    expect(tally.problems).toEqual([]);
    expect(tally.lost).toBe(0);
    expect(tally.trials).toEqual({ beside: 8, stash: 10, 'in-place': 6 });
  }, 300_000);

  it('ext4: a few trials, nothing lost', async () => {
    const tally = newTally();
    await trials(bench('ext4'), [['beside', 1], ['stash', 2], ['in-place', 1]], tally);
    console.log(summary('ext4', tally));
    expect(tally.problems).toEqual([]);
    expect(tally.lost).toBe(0);
  }, 180_000);
});
