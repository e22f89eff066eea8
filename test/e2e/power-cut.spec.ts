// Power cuts at every step boundary and at random moments: kill -9 of the run, every write not fsynced dropped
// (lazyfs), the RAM wiped; then a plain rerun (or --resume) must finish the job without losing a byte.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, mountFs, run, sha256, sleep, start, warnSkip, watch, writeLog, type Mounted } from './helpers.js';
import { lazyfsSkipReason, mountLazy, type LazyMount } from './lazyfs/lazyfs.js';

const MiB = 2 ** 20;
/** 8 blocks of 256 KiB in block mode; long enough on lazyfs for random cuts to land in every step. */
const SIZE = 2 * MiB;
const BLOCK = 256 * 2 ** 10;
type Model = 'ext4' | 'posix';
/**
 * Cuts per scenario: right before the first boundary operation on FILE's disk; right after the first boundary
 * operation of each kind of step on FILE's disk and on the stash's (at most this many, spread over them); and at
 * random moments (the last with every page written back).
 */
const CUTS: Record<Model, { disk: number; stash: number; random: number }> = {
  ext4: { disk: 10, stash: 5, random: 2 },
  posix: { disk: 3, stash: 2, random: 1 },
};

/** Where the bytes of a run live: FILE's disk, another disk for the stash, and the RAM (/dev/shm and /run of the run, and the RAM stash). */
interface Rig {
  disk: LazyMount;
  stashDisk: LazyMount;
  ram: Mounted;
  file: string;
  gz: string;
}

interface Scenario {
  name: string;
  room: number;
  args: (rig: Rig) => string[];
  /** What --simulate --json must say, so that the cuts test the strategy meant. */
  strategy: string;
  /** The only copy outside FILE's disk is in RAM: a cut can lose the file today (issue 12). */
  ramOnly: boolean;
  /** How FILE ends once the job is done: gone, or (copytruncate) there and empty. */
  fileAfter: 'gone' | 'empty';
}

const ramStash = (rig: Rig) => path.join(rig.ram.dir, 'stash');

const SCENARIOS: Scenario[] = [
  { name: 'beside', room: 1536 * 2 ** 10, args: () => ['--no-stash'], strategy: 'beside', ramOnly: false, fileAfter: 'gone' },
  { name: 'stash on disk', room: 0, args: (r) => ['--stash', r.stashDisk.dir], strategy: 'stash', ramOnly: false, fileAfter: 'gone' },
  { name: 'stash in RAM', room: 0, args: (r) => ['--stash', ramStash(r)], strategy: 'stash', ramOnly: true, fileAfter: 'gone' },
  { name: 'block mode, stash on disk', room: 0, args: (r) => ['-m', String(BLOCK), '--stash', r.stashDisk.dir], strategy: 'blocks', ramOnly: false, fileAfter: 'gone' },
  { name: 'block mode, stash in RAM', room: 0, args: (r) => ['-m', String(BLOCK), '--stash', ramStash(r)], strategy: 'blocks', ramOnly: true, fileAfter: 'gone' },
  { name: 'copytruncate', room: 1536 * 2 ** 10, args: () => ['--copytruncate', '--no-stash'], strategy: 'beside', ramOnly: false, fileAfter: 'empty' },
];

/**
 * The run sees a /dev/shm and a /run of our own (bind mounts in a private mount namespace), so that notes
 * and state it keeps in RAM are wiped with the rest at a cut, and the machine's own are never touched.
 */
const inPrivateRam = (rig: Rig) => ['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$0/shm" /dev/shm && mount --bind "$0/run" /run && exec "$@"', rig.ram.dir];

function wipeRam(rig: Rig): void {
  for (const name of fs.readdirSync(rig.ram.dir)) fs.rmSync(path.join(rig.ram.dir, name), { recursive: true, force: true });
  for (const name of ['shm', 'run', 'stash']) fs.mkdirSync(path.join(rig.ram.dir, name), { mode: 0o1777 });
}

/** Every file below dir, relative, but ext4's lost+found. */
function filesBelow(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => !p.startsWith('lost+found') && fs.statSync(path.join(dir, p)).isFile()).sort();
}

function gunzipHash(gz: string): string | undefined {
  try {
    return sha256(execFileSync('gzip', ['-dc', gz], { maxBuffer: 2 ** 30, stdio: ['ignore', 'pipe', 'ignore'] }));
  } catch {
    return undefined;
  }
}

/** What the system's gzip gets out of a file, up to where it is cut or damaged (a .gz being assembled). */
function gunzipPrefix(gz: string): Buffer {
  try {
    return execFileSync('gzip', ['-dc', gz], { maxBuffer: 2 ** 30, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (err) {
    return (err as { stdout?: Buffer }).stdout ?? Buffer.alloc(0);
  }
}

/**
 * Block mode spreads the bytes over FILE's head, the .gz being assembled and the parts (beside, or in a stash
 * on disk): laid over each other at their blocks' offsets, do they cover the original exactly?
 */
function blocksSurvive(rig: Rig, hash: string): boolean {
  const out = Buffer.alloc(SIZE);
  const covered = new Uint8Array(Math.ceil(SIZE / BLOCK));
  const put = (data: Buffer, at: number) => {
    data.copy(out, at, 0, Math.max(0, Math.min(data.length, SIZE - at)));
    for (let b = at / BLOCK; b * BLOCK < SIZE && Math.min((b + 1) * BLOCK, SIZE) <= at + data.length; b++) covered[b] = 1;
  };
  if (fs.existsSync(rig.file)) put(fs.readFileSync(rig.file), 0);
  for (const gz of [rig.gz, path.join(rig.disk.dir, '.app.log.gz.cmemgzip-tmp')]) if (fs.existsSync(gz)) put(gunzipPrefix(gz), 0);
  for (const root of [rig.disk.dir, rig.stashDisk.dir])
    for (const f of filesBelow(root)) {
      const part = /part-(\d+)\.gz$/.exec(f);
      if (part) put(gunzipPrefix(path.join(root, f)), Number(part[1]) * BLOCK);
    }
  return covered.every(Boolean) && sha256(out) === hash;
}

/** Names a run made (created, renamed to, removed) whose folder it did not fsync afterwards, before the cut: what a strict filesystem forgets. */
function unsyncedNames(ops: [string, string][]): string[] {
  const out: string[] = [];
  ops.forEach(([op, arg], i) => {
    if (!['create', 'mkdir', 'rename', 'unlink', 'rmdir', 'link', 'symlink'].includes(op)) return;
    for (const p of arg.split(' -> ')) {
      const dir = path.posix.dirname(p);
      if (!ops.slice(i + 1).some(([o, a]) => o === 'fsyncdir' && a === dir)) out.push(`${op} ${p}`);
    }
  });
  return [...new Set(out.map((n) => n.replace(/\d+/g, 'N')))];
}

const hashOf = (file: string) => (fs.existsSync(file) ? sha256(fs.readFileSync(file)) : undefined);

/** A boundary operation's name with part numbers and keys folded, so that cuts group by step. */
const stepName = (op: [string, string] | undefined) => (op ? `${op[0]} ${op[1].replace(/\d+/g, 'N')}` : 'nothing yet');

/** A fresh log on FILE's disk filled to sc.room bytes free, everything durable; written under lazyfs, not through it, for speed. */
function prepare(rig: Rig, sc: Scenario, model: Model): string {
  for (const lazy of [rig.disk, rig.stashDisk]) {
    for (const name of fs.readdirSync(lazy.live)) fs.rmSync(path.join(lazy.live, name), { recursive: true, force: true });
    lazy.ctl(`model ${model}`);
  }
  wipeRam(rig);
  const hash = writeLog(path.join(rig.disk.live, 'app.log'), SIZE);
  const free = rig.disk.capacity - rig.disk.status().used - sc.room;
  fs.writeFileSync(path.join(rig.disk.live, '.filler'), Buffer.alloc(free - (free % 4096)));
  expect(fs.statfsSync(rig.disk.dir).bavail * 4096).toBeLessThanOrEqual(sc.room + 4096);
  rig.disk.ctl('sync');
  rig.stashDisk.ctl('sync');
  return hash;
}

type Cut = { at: 'boundary'; on: 'disk' | 'stashDisk'; n: number; when: 'before' | 'after' } | { at: 'random'; ms: number; writeback: boolean };

interface Outcome {
  /** The run finished before the cut could land: not a cut. */
  missed: boolean;
  step: string;
  lastLine: string;
  lost: boolean;
  problems: string[];
  /** Names made and never fsynced before the cut, on FILE's disk and the stash's: why a strict filesystem lost them. */
  unsynced: string[];
  /** FILE's content had changed durably (rewritten, cut) before the cut: its bytes were then outside FILE. */
  fileChanged: boolean;
  /** The plan's step the run had last reported (-v) when the cut came. */
  runStep?: string;
}

/** The last "step N/M: NAME" line a -v run printed: the step under way at a cut (stdout to a pipe is synchronous). */
function lastStep(output: string): string | undefined {
  return [...output.matchAll(/step \d+\/\d+: (.*?)(?:; copies meanwhile: .*)?$/gm)].at(-1)?.[1];
}

/** One power cut, then the operator's recovery; says whether the file's bytes survived. */
async function cutAndRecover(rig: Rig, sc: Scenario, model: Model, cut: Cut): Promise<Outcome> {
  const hash = prepare(rig, sc, model);
  if (cut.at === 'boundary') rig[cut.on].ctl(`trap ${cut.n} ${cut.when}`);
  const w = watch(start([...sc.args(rig), '-v', rig.file], { prefix: inPrivateRam(rig) }));
  if (cut.at === 'random') {
    await Promise.race([sleep(cut.ms), w.exited]);
    rig.disk.ctl('freeze');
    rig.stashDisk.ctl('freeze');
    w.child.kill('SIGKILL');
  }
  const { signal } = await w.exited;
  rig.disk.ctl('freeze');
  rig.stashDisk.ctl('freeze');
  const ops = { disk: rig.disk.status().ops, stashDisk: rig.stashDisk.status().ops };
  const missed = signal !== 'SIGKILL';
  const writeback = cut.at === 'random' && cut.writeback;
  for (const lazy of [rig.disk, rig.stashDisk]) lazy.ctl(writeback ? 'cut writeback' : 'cut');
  wipeRam(rig);
  const lastLine = w.output().trim().split('\n').at(-1)?.replace(/^\d\d:\d\d:\d\d /, '').replace(/\/\S+/g, 'X').slice(0, 60) ?? '';
  const step = `${stepName(ops.disk.at(-1))}${ops.stashDisk.length ? ` (stash: ${stepName(ops.stashDisk.at(-1))})` : ''}${writeback ? ' [writeback]' : ''}`;
  const survived =
    hashOf(rig.file) === hash ||
    gunzipHash(rig.gz) === hash ||
    // Rewritten in place and cut, not yet renamed: FILE's name holds the whole .gz.
    gunzipHash(rig.file) === hash ||
    filesBelow(rig.stashDisk.dir).some((f) => f.endsWith('.gz') && !f.includes('part-') && gunzipHash(path.join(rig.stashDisk.dir, f)) === hash) ||
    (sc.strategy === 'blocks' && blocksSurvive(rig, hash));
  const problems = recover(rig, sc, hash);
  const done = gunzipHash(rig.gz) === hash;
  const unsynced = [...unsyncedNames(ops.disk), ...unsyncedNames(ops.stashDisk).map((n) => `stash: ${n}`)];
  const fileChanged = ops.disk.some(([op, p]) => (op === 'fsync' || op === 'truncate') && p === '/app.log');
  return { missed, step, lastLine, lost: !done && !survived, problems: done || !survived ? problems : [`bytes survived but recovery failed: ${problems.join('; ')}`], unsynced, fileChanged, runStep: lastStep(w.output()) };
}

/** The operator after the reboot: a plain rerun; --resume if that did not finish; -f if FILE and FILE.gz are both there. */
function recover(rig: Rig, sc: Scenario, hash: string): string[] {
  const tries: string[][] = [[], ['--resume'], ['-f']];
  const said: string[] = [];
  for (const extra of tries) {
    if (extra[0] === '-f' && !(fs.existsSync(rig.file) && fs.existsSync(rig.gz))) continue;
    const r = run([...sc.args(rig), ...extra, rig.file], { prefix: inPrivateRam(rig) });
    said.push(`rerun ${extra.join(' ') || '(plain)'} exited ${r.code}: ${(r.stdout + r.stderr).trim().split('\n').slice(-2).join(' / ')}`);
    if (gunzipHash(rig.gz) === hash && (sc.fileAfter === 'gone' ? !fs.existsSync(rig.file) : fs.statSync(rig.file).size === 0)) break;
  }
  const left = [...filesBelow(rig.disk.dir).filter((f) => !['.filler', 'app.log', 'app.log.gz'].includes(f)), ...filesBelow(rig.stashDisk.dir), ...filesBelow(ramStash(rig))];
  const problems = [
    gunzipHash(rig.gz) !== hash && 'FILE.gz does not give the original back',
    sc.fileAfter === 'gone' && fs.existsSync(rig.file) && 'FILE is still there',
    sc.fileAfter === 'empty' && (!fs.existsSync(rig.file) || fs.statSync(rig.file).size !== 0) && 'FILE is not there and empty',
    left.length > 0 && `left behind: ${left.join(', ')}`,
  ].filter((p): p is string => typeof p === 'string');
  return problems.length ? [...problems, ...said] : [];
}

/** An uninterrupted run: its strategy, its plan's window line, how long it takes and its boundary operations on each disk. */
async function calibrate(rig: Rig, sc: Scenario, model: Model) {
  const hash = prepare(rig, sc, model);
  const sim = run([...sc.args(rig), '--simulate', '--json', rig.file], { prefix: inPrivateRam(rig) });
  const plan = jsonLines(sim.stdout)[0] ?? {};
  const human = run([...sc.args(rig), '--simulate', rig.file], { prefix: inPrivateRam(rig) });
  const windowLines = human.stdout.split('\n').filter((l) => /window|strategy|space needed/.test(l)).map((l) => l.replace(/^\d\d:\d\d:\d\d /, ''));
  const t0 = performance.now();
  const w = watch(start([...sc.args(rig), rig.file], { prefix: inPrivateRam(rig) }));
  const { code } = await w.exited;
  const ms = performance.now() - t0;
  expect(code, w.output()).toBe(0);
  expect(gunzipHash(rig.gz)).toBe(hash);
  const powerSteps = ((plan.windows as { powerCut?: { steps: string[] } } | undefined)?.powerCut?.steps ?? []) as string[];
  return { strategy: plan.strategy, windowLines, powerSteps, ms, ops: { disk: rig.disk.status().ops, stashDisk: rig.stashDisk.status().ops } };
}

/** Where each kind of step first happens: 1-based indices into ops of the first operation of each step name. */
function stepStarts(ops: [string, string][]): number[] {
  const seen = new Set<string>();
  return ops.flatMap((op, i) => (seen.has(stepName(op)) ? [] : (seen.add(stepName(op)), [i + 1])));
}

/** Up to `count` of items spread evenly over them, first and last included. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  if (count === 1) return [items[Math.floor(items.length / 2)]];
  return [...new Set(Array.from({ length: count }, (_, i) => items[Math.round((i * (items.length - 1)) / (count - 1))]))];
}

interface Row {
  cuts: number;
  lost: number;
}

describe.skipIf(warnSkip(lazyfsSkipReason()))('power cuts at every step boundary and at random moments', () => {
  let rig: Rig;
  const table = new Map<string, Row>();
  const plans = new Map<string, string>();
  const losses: string[] = [];
  const unfinished: string[] = [];
  let missed = 0;
  const started = performance.now();

  beforeAll(async () => {
    const disk = await mountLazy(5 * MiB);
    const stashDisk = await mountLazy(5 * MiB);
    const ram = mountFs('tmpfs', 16);
    const file = path.join(disk.dir, 'app.log');
    rig = { disk, stashDisk, ram, file, gz: `${file}.gz` };
  });
  afterAll(async () => {
    const rows = [...table].map(([key, r]) => `  ${key.padEnd(100)} ${String(r.cuts).padStart(3)} cuts ${String(r.lost).padStart(3)} lost`);
    const cuts = [...table.values()].reduce((n, r) => n + r.cuts, 0);
    const lost = [...table.values()].reduce((n, r) => n + r.lost, 0);
    console.log(
      [
        `power cuts: ${cuts} in ${((performance.now() - started) / 1000).toFixed(0)} s, ${lost} lost (${missed} more ended before their cut); model | strategy | last boundary operation on FILE's disk before the cut (and on the stash's): cuts, lost`,
        ...rows,
        "what --simulate printed (strategy, space and window lines):",
        ...[...plans].map(([name, lines]) => `  ${name}: ${lines}`),
      ].join('\n'),
    );
    if (unfinished.length) console.warn(`\n!!!!!!!!!! NOTHING LOST, BUT NO PLAIN RERUN, --resume OR -f FINISHED THE JOB !!!!!!!!!!\n${unfinished.join('\n')}\n`);
    if (losses.length) console.warn(`\n!!!!!!!!!! KNOWN LOSSES: expected today, each with its reason !!!!!!!!!!\n${losses.join('\n')}\n`);
    await rig?.disk.unmount();
    await rig?.stashDisk.unmount();
    rig?.ram.unmount();
  });

  for (const model of ['ext4', 'posix'] as const)
    for (const sc of SCENARIOS.filter((x) => model === 'ext4' || !x.ramOnly)) {
      const expectation = sc.ramOnly
        ? 'losses only once FILE was changed with its only other copy in RAM, inside the power-cut window the plan printed'
        : model === 'ext4'
          ? 'nothing lost'
          : 'losses only where a name was never fsynced (known: a new folder or file whose parent is not fsynced)';
      it(`${model}: ${sc.name}: ${expectation}`, async () => {
        const cal = await calibrate(rig, sc, model);
        expect(cal.strategy, `${sc.name}: --simulate chose another strategy`).toBe(sc.strategy);
        plans.set(sc.name, `${cal.windowLines.join(' | ') || '(no window line)'} [an uninterrupted run: ${Math.round(cal.ms)} ms, ${cal.ops.disk.length} + ${cal.ops.stashDisk.length} boundary operations]`);
        const n = CUTS[model];
        const cuts: Cut[] = [
          { at: 'boundary', on: 'disk', n: 1, when: 'before' },
          ...spread(stepStarts(cal.ops.disk), n.disk).map((k): Cut => ({ at: 'boundary', on: 'disk', n: k, when: 'after' })),
          ...spread(stepStarts(cal.ops.stashDisk), n.stash).map((k): Cut => ({ at: 'boundary', on: 'stashDisk', n: k, when: 'after' })),
          ...Array.from({ length: n.random }, (_, i): Cut => ({ at: 'random', ms: Math.random() * cal.ms, writeback: i === n.random - 1 })),
        ];
        const unexplained: string[] = [];
        for (const cut of cuts) {
          const o = await cutAndRecover(rig, sc, model, cut);
          if (o.missed) {
            missed++;
            continue;
          }
          const key = `${model} | ${sc.name} | ${o.step}`;
          const row = table.get(key) ?? { cuts: 0, lost: 0 };
          row.cuts++;
          table.set(key, row);
          if (o.lost) row.lost++;
          if (!o.lost && o.problems.length === 0) continue;
          const line = `  ${o.lost ? 'LOST' : 'BYTES SAFE, NOT FINISHED BY A RERUN'}: ${key} (last line: ${o.lastLine})`;
          const detail = o.problems.length ? `\n      ${o.problems.join('\n      ')}` : '';
          if (!o.lost) {
            unfinished.push(line + detail);
            continue;
          }
          // A loss is known when the only other copy was in RAM once FILE changed, or (posix) when a name was never fsynced.
          // ...and the step the cut came in is one the plan's power-cut window named beforehand.
          const inWindow = o.runStep !== undefined && cal.powerSteps.includes(o.runStep);
          const reason = sc.ramOnly && o.fileChanged && inWindow ? `the only copy outside FILE was in RAM, wiped by the cut during "${o.runStep}", a step of the plan's power-cut window` : model === 'posix' && o.unsynced.length ? `never fsynced: ${o.unsynced.join(', ')}` : undefined;
          if (reason) losses.push(`${line}; known: ${reason}${detail}`);
          else unexplained.push(`${line} (during step "${o.runStep}"; the plan's power-cut window: ${cal.powerSteps.join(', ') || 'none'})${detail}`);
        }
        expect(unexplained).toEqual([]);
        // With its only other copy in RAM the plan must say beforehand that a power cut can lose the file;
        // with a copy on a disk it must say it cannot.
        const powerLine = cal.windowLines.find((l) => l.startsWith('loss window on power cut or reboot:'));
        expect(powerLine, cal.windowLines.join('\n')).toBeDefined();
        if (sc.ramOnly) expect(powerLine).toMatch(/in RAM .*which a reboot or power cut empties/);
        else expect(powerLine).toBe('loss window on power cut or reboot: none');
      }, 300_000);
    }
});
