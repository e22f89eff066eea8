// Block mode under kill -9 at random moments (compressing, truncating, assembling, verifying), on a full
// tmpfs with a stash and on ext4: every byte stays recoverable, and a rerun or --resume finishes the job.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { partPath, type JournalManifest } from '../../src/steps/journal.js';
import { stateFolderName } from '../../src/probe/own-folder.js';
import { hiddenName } from '../../src/steps/hide-source.js';
import { fill, jsonLines, mountFs, mountSkipReason, run, sha256, sleep, start, warnSkip, watch, writeLog, type Mounted, type Watched } from './helpers.js';

const MiB = 2 ** 20;
/** 32 blocks of 512 KiB: a run lasts long enough on tmpfs for kills to land in every phase. */
const SIZE = 16 * MiB;
const BLOCK = ['-m', '512K'];

interface Scenario {
  name: string;
  kind: 'tmpfs' | 'ext4';
  /** Bytes left free after filling: 0 puts the first part in the stash. */
  room: number;
  /** Where to put stash copies: the rerun names the same place, as the operator would. */
  stashArgs: (stash: string) => string[];
  trials: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'tmpfs, full, --stash', kind: 'tmpfs', room: 0, stashArgs: (s) => ['--stash', s], trials: 18 },
  { name: 'ext4, full, --stash', kind: 'ext4', room: 0, stashArgs: (s) => ['--stash', s], trials: 8 },
  { name: 'ext4, room beside, --no-stash', kind: 'ext4', room: 6 * MiB, stashArgs: () => ['--no-stash'], trials: 6 },
];

/** Every file below dir, relative, except what mkfs puts there. */
function filesBelow(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => !p.startsWith('lost+found')).sort();
}

/** The system's gzip on bytes; undefined when it rejects them. */
function gunzip(data: Buffer): Buffer | undefined {
  try {
    return execFileSync('gzip', ['-dc'], { input: data, maxBuffer: 2 ** 30, stdio: ['pipe', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

const readOr = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file) : undefined);

function manifestAt(folder: string): JournalManifest | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(folder, 'manifest.json'), 'utf8')) as JournalManifest;
  } catch {
    return undefined;
  }
}

class Bench {
  readonly file: string;
  readonly gz: string;
  readonly temp: string;
  private live: Watched[] = [];

  constructor(
    readonly m: Mounted,
    readonly stash: string,
    readonly sc: Scenario,
  ) {
    this.file = path.join(m.dir, 'app.log');
    this.gz = `${this.file}.gz`;
    this.temp = path.join(m.dir, '.app.log.gz.cmemgzip-tmp');
  }

  /** Journal folders beside the file (named by its inode and birth time). */
  besideJournals(): string[] {
    return fs.readdirSync(this.m.dir).filter((n) => /^\.\d+-\d+\.cmemgzip-blocks$/.test(n)).map((n) => path.join(this.m.dir, n));
  }

  /** Journal folders in the stash (the user's state folder/<ino>-<birth>.blocks). */
  stashJournals(): string[] {
    const folder = path.join(this.stash, stateFolderName());
    return fs.existsSync(folder) ? fs.readdirSync(folder).filter((n) => n.endsWith('.blocks')).map((n) => path.join(folder, n)) : [];
  }

  /** The manifests on disk, beside first (the newer one while the journal moves out of the stash). */
  manifests(): (JournalManifest & { folder: string })[] {
    return [...this.besideJournals(), ...this.stashJournals()].flatMap((folder) => {
      const m = manifestAt(folder);
      return m ? [{ ...m, folder }] : [];
    });
  }

  prepare(): string {
    for (const name of fs.readdirSync(this.m.dir)) if (name !== 'lost+found') fs.rmSync(path.join(this.m.dir, name), { recursive: true, force: true });
    expect(filesBelow(this.stash)).toEqual([]);
    const hash = writeLog(this.file, SIZE);
    const filler = fill(this.m.dir);
    if (this.sc.room > 0) fs.truncateSync(filler, fs.statSync(filler).size - this.sc.room);
    return hash;
  }

  launch(): Watched {
    const w = watch(start([...BLOCK, ...this.sc.stashArgs(this.stash), this.file]));
    this.live.push(w);
    return w;
  }

  killAll(): void {
    for (const w of this.live) if (!w.done()) w.child.kill('SIGKILL');
    this.live = [];
  }

  /** Where FILE's inode is: block mode moves it off its name before its first cut. */
  source(): string {
    return fs.existsSync(hiddenName(this.file)) ? hiddenName(this.file) : this.file;
  }

  /** What the frozen run was doing, read from the disk alone. */
  phase(): string {
    const manifests = this.manifests();
    const m = manifests[0];
    const fileSize = fs.existsSync(this.source()) ? fs.statSync(this.source()).size : -1;
    if (!m) {
      if (fs.existsSync(this.gz)) return 'finishing: journal removed';
      return this.besideJournals().length > 0 || this.stashJournals().length > 0 ? 'starting: journal folder made' : 'probing: nothing written yet';
    }
    if (manifests.length > 1) return 'compressing: moving the journal beside';
    if (fs.existsSync(this.temp)) {
      const tempSize = fs.statSync(this.temp).size;
      if (m.assembledParts === m.parts.length) return 'verifying: every member appended and checked, metadata and rename';
      return tempSize > m.assembledBytes ? 'assembling: member appended, being checked' : 'assembling: appending the next part';
    }
    if (fs.existsSync(this.gz)) return fileSize >= 0 ? 'finishing: renamed, empty FILE not yet removed' : 'finishing: FILE removed, journal not yet';
    const remaining = m.parts.length === 0 ? m.size : Math.min(...m.parts.map((p) => p.offset));
    if (fileSize > remaining) return 'truncating: part recorded, not yet cut off FILE';
    const part = (index: number) => partPath({ folder: m.folder, manifest: '' }, index);
    const unrecorded = fs.existsSync(m.folder) && fs.readdirSync(m.folder).some((n) => n.startsWith('part-') && !m.parts.some((p) => path.basename(part(p.index)) === n));
    if (unrecorded) return 'verifying: part written, not yet recorded';
    if (fileSize === 0 && m.parts.length > 0) return 'assembling: about to start';
    return 'compressing: reading and compressing a block';
  }

  /** Whether the original's bytes can still be put together from what is on disk, by the system's gzip alone. */
  recoverable(hash: string): boolean {
    const gz = readOr(this.gz);
    if (gz && sha256(gunzip(gz) ?? Buffer.alloc(0)) === hash) return true;
    const file = readOr(this.source()) ?? Buffer.alloc(0);
    if (sha256(file) === hash) return true;
    return this.manifests().some((m) => {
      const parts = [...m.parts].sort((a, b) => a.index - b.index);
      const low = parts[0]?.offset ?? m.size;
      const temp = readOr(this.temp);
      const assembled = m.assembledParts > 0 && temp ? gunzip(temp.subarray(0, m.assembledBytes)) : Buffer.alloc(0);
      const partFile = (index: number) => partPath({ folder: m.folder, manifest: '' }, index);
      const rest = parts.slice(m.assembledParts).map((p) => readOr(partFile(p.index)) && gunzip(readOr(partFile(p.index))!));
      if (!assembled || rest.some((r) => !r)) return false;
      return sha256(Buffer.concat([file.subarray(0, low), assembled, ...(rest as Buffer[])])) === hash;
    });
  }
}

interface Tally {
  trials: number;
  lost: number;
  resumed: number;
  phases: Record<string, number>;
  problems: string[];
}

/** Runs as the operator would after a crash and checks the end state: FILE.gz is the original, nothing else is left. */
function rerunAndCheck(b: Bench, hash: string, useResume: boolean, label: string, tally: Tally): void {
  const journal = b.manifests().length > 0;
  const done = !fs.existsSync(b.file) && !journal && fs.existsSync(b.gz);
  const resume = done || (journal && useResume);
  const r = run([...b.sc.stashArgs(b.stash), ...(resume ? ['--resume'] : []), '--json', b.file]);
  const report = jsonLines(r.stdout)[0] ?? {};
  if (report.status === 'resumed') tally.resumed++;
  // --resume with nothing left to finish is gzip's warning (2): the killed run had completed.
  const expectedCode = done ? 2 : 0;
  const problems = [
    r.code !== expectedCode && `rerun${resume ? ' --resume' : ''} exited ${r.code}, expected ${expectedCode}: ${r.stdout}${r.stderr}`,
    fs.existsSync(b.file) && 'FILE is still there after the rerun',
    fs.existsSync(hiddenName(b.file)) && 'FILE is still at its hidden name after the rerun',
    sha256(gunzip(readOr(b.gz) ?? Buffer.alloc(0)) ?? Buffer.alloc(0)) !== hash && 'FILE.gz does not decompress to the original',
    filesBelow(b.m.dir).join(',') !== '.filler,app.log.gz' && `left in the folder: ${filesBelow(b.m.dir).join(', ')}`,
    filesBelow(b.stash).length > 0 && `left in the stash: ${filesBelow(b.stash).join(', ')}`,
  ].filter((p): p is string => typeof p === 'string');
  tally.problems.push(...problems.map((p) => `${label}: ${p}`));
}

interface Timing {
  /** When the journal is made (Node's start-up and the probe are over), assembly starts, and the run ends, in ms. */
  journal: number;
  assembly: number;
  end: number;
}

async function calibrate(b: Bench): Promise<Timing> {
  const hash = b.prepare();
  const t0 = performance.now();
  const w = b.launch();
  await w.waitFor('journal ');
  const journal = performance.now() - t0;
  await w.waitFor('is now empty');
  const assembly = performance.now() - t0;
  const { code } = await w.exited;
  expect(code, w.output()).toBe(0);
  expect(w.output()).toContain('strategy: blocks');
  expect(sha256(gunzip(fs.readFileSync(b.gz))!)).toBe(hash);
  return { journal, assembly, end: performance.now() - t0 };
}

/**
 * Starts a run and kill -9s it at a random moment: a third of the trials from the journal's creation to
 * the end (a few land before it, on a busy machine), a third over the second half, a third after assembly begins. Returns the phase, or undefined if the run ended
 * first; each new attempt aims earlier, as this machine may be slower than the calibration run.
 */
async function killOnce(b: Bench, trial: number, attempt: number, timing: Timing): Promise<string | undefined> {
  const w = b.launch();
  const bias = trial % 3;
  const shrink = 0.6 ** attempt;
  if (bias === 2) {
    await w.waitFor('is now empty').catch(() => {});
    await sleep(Math.random() * shrink * (timing.end - timing.assembly));
  } else {
    const from = bias === 1 ? timing.end / 2 : timing.journal;
    await sleep(shrink * (from + Math.random() * (timing.end - from)));
  }
  if (w.done()) return undefined;
  await w.freeze();
  if (w.done()) return undefined;
  const phase = b.phase();
  w.child.kill('SIGKILL');
  await w.exited;
  return phase;
}

async function trials(b: Bench, tally: Tally): Promise<void> {
  const timing = await calibrate(b);
  for (let i = 0; i < b.sc.trials; i++) {
    let hash = '';
    let phase: string | undefined;
    for (let attempt = 0; attempt < 8 && phase === undefined; attempt++) {
      hash = b.prepare();
      phase = await killOnce(b, i, attempt, timing);
    }
    const label = `${b.sc.name} trial ${i + 1} (${phase})`;
    expect(phase, `${label}: never managed to kill a run before it ended`).toBeDefined();
    tally.trials++;
    tally.phases[phase!] = (tally.phases[phase!] ?? 0) + 1;
    if (!b.recoverable(hash)) {
      tally.lost++;
      tally.problems.push(`${label}: LOST: no combination of FILE, FILE.gz, the temporary and the parts gives the original; folder: ${filesBelow(b.m.dir).join(', ')}; stash: ${filesBelow(b.stash).join(', ')}`);
      continue;
    }
    rerunAndCheck(b, hash, i % 2 === 1, label, tally);
  }
}

describe.skipIf(warnSkip(mountSkipReason()))('block mode: kill -9 at random moments', () => {
  const mounts: Mounted[] = [];
  const benches: Bench[] = [];
  const tally: Tally = { trials: 0, lost: 0, resumed: 0, phases: {}, problems: [] };
  afterEach(() => benches.forEach((b) => b.killAll()));
  afterAll(() => {
    mounts.forEach((m) => m.unmount());
    const phases = Object.keys(tally.phases).map((p) => p.split(':')[0]);
    const detail = Object.entries(tally.phases).map(([p, n]) => `  ${n} x ${p}`);
    console.log([`block kill -9: ${tally.trials} trials, ${tally.lost} lost, ${tally.resumed} resumed, phases hit: ${[...new Set(phases)].join(', ')}`, ...detail].join('\n'));
  });

  const bench = (sc: Scenario) => {
    const m = mountFs(sc.kind, 24);
    mounts.push(m);
    const stash = mountFs('tmpfs', 8);
    mounts.push(stash);
    const b = new Bench(m, stash.dir, sc);
    benches.push(b);
    return b;
  };

  it.each(SCENARIOS)('$name: $trials trials, nothing lost, every rerun finishes and leaves nothing behind', async (sc) => {
    const before = { trials: tally.trials, lost: tally.lost, problems: tally.problems.length };
    await trials(bench(sc), tally);
    expect(tally.problems.slice(before.problems)).toEqual([]);
    expect(tally.lost - before.lost).toBe(0);
    expect(tally.trials - before.trials).toBe(sc.trials);
  }, 300_000);

  it('over all scenarios: at least 30 trials, landing in compressing, assembling and verifying (truncating is short: counted when hit)', () => {
    expect(tally.trials).toBeGreaterThanOrEqual(30);
    const phases = new Set(Object.keys(tally.phases).map((p) => p.split(':')[0]));
    for (const phase of ['compressing', 'assembling', 'verifying']) expect([...phases]).toContain(phase);
  });
});
