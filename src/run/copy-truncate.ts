// --copytruncate's core, for a named file or a deleted one reached through /proc/PID/fd/N: compress
// what is there, make it durable (beside, or in a stash), catch up with what the writer appended
// meanwhile as further gzip members, truncate to 0 through our own descriptor, then write the .gz
// from the stash if that is where it was. The file itself is never rewritten: a process writes to it.
import { CmemError, toCmemError } from '../errors.js';
import { copyTruncatePlace, type Place } from '../plan/copytruncate-place.js';
import { describeHolder, nulHoleWarning } from '../plan/held-open.js';
import { unsafeRefusal, windowsOf, type LossWindows } from '../plan/loss-windows.js';
import type { Options } from '../plan/options.js';
import { memoryNeeded } from '../plan/plan.js';
import { gzPlace, ramPlace, stepsJson } from '../plan/steps.js';
import type { FileFacts } from '../probe/file.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { Holder } from '../probe/holder.js';
import { findMappers } from '../probe/mappings.js';
import { availableMemory } from '../probe/memory.js';
import { isProcFd } from '../probe/proc-fd.js';
import type { StashCandidate } from '../probe/stash.js';
import type { FileReport } from '../report/file-report.js';
import type { Logger } from '../report/logger.js';
import { planLines, type StepJson } from '../report/steps-taken.js';
import type { Archive } from '../steps/append-archive.js';
import { compressSource } from '../steps/compress.js';
import { estimateCompressed } from '../steps/estimate.js';
import { headerFieldsFor } from '../steps/header-fields.js';
import { readBlocks } from '../steps/read-blocks.js';
import type { Metadata } from '../steps/restore-metadata.js';
import { STEP } from '../steps/step-names.js';
import { onlyInStash, truncateSteps, type TruncateCtx } from '../strategies/copytruncate.js';
import { bytes, percent } from '../text/format.js';
import { shellQuote } from '../text/shell-quote.js';
import { LeftBehind } from './execute.js';
import { execute } from './executor.js';

export interface TruncateSource {
  /** What the operator named (absolute FILE, or /proc/PID/fd/N); a stash manifest records it for --resume. */
  name: string;
  readFd: number;
  /** Opened write-only without O_TRUNC: the truncation goes through it. */
  writeFd: number;
  facts: Pick<FileFacts, 'dev' | 'ino' | 'birth' | 'base' | 'size'> & Metadata;
  holders: Holder[];
}

export interface TruncateJob {
  source: TruncateSource;
  outputPath: string;
  outputFs: FsFacts;
  /** Whether FILE itself is in RAM: only then is a .gz in RAM no worse than FILE was. */
  fileFs: Pick<FsFacts, 'ramBacked'>;
  stashes: StashCandidate[];
  opts: Pick<Options, 'level' | 'simulate' | 'safe' | 'allowRamStash'>;
  /** The .gz an earlier --copytruncate left at outputPath: kept, with the new members after it. */
  archive?: Archive;
  log: Logger;
  /** Where the plan's steps, then the steps taken, go however the run ends: the operand's report. */
  trace: { steps?: StepJson[] };
}

export interface TruncateResult {
  place: Place;
  /** Every byte copied, in all rounds. */
  size: number;
  compressedSize: number;
  /** Bytes the writer appended after the first read, caught as further members. */
  caught: number;
  rounds: number;
  /** Bytes seen written between the final read and the truncation: lost, as with logrotate. */
  lostAtLeast: number;
  /** Blocks the truncation gave back to the file's filesystem. */
  freed: number;
  windows: LossWindows;
  simulated: boolean;
  /** What the operator must know of this copy: lines a writer may have had cut off. */
  warning?: string;
}

function refuseMapped(job: TruncateJob): void {
  const { facts, name } = job.source;
  const mappers = findMappers(facts.dev, facts.ino);
  if (mappers.length > 0)
    throw new CmemError(
      'HELD_OPEN',
      `${name} is mapped into memory by PID ${mappers.join(', ')}: truncating it would kill that process (SIGBUS); left as it is`,
      'stop or restart that process to free the space',
    );
}

function checkMemory(job: TruncateJob): void {
  const { readFd, facts, name } = job.source;
  const needed = memoryNeeded(facts.size, estimateCompressed(readFd, facts.size, job.opts.level));
  const memory = availableMemory();
  if (needed > memory)
    throw new CmemError(
      'NO_MEMORY',
      `not enough memory: copying ${name} needs about ${bytes(needed)}, ${bytes(memory)} are available`,
      'free memory first; --copytruncate holds the whole copy in memory (block mode needs the writer stopped)',
    );
}

export async function copyTruncate(job: TruncateJob): Promise<TruncateResult> {
  const { source, log } = job;
  const { facts, name } = source;
  for (const h of source.holders) log.info(`held open by ${describeHolder(h)}: it keeps its descriptor, the file is emptied in place`);
  const hole = nulHoleWarning(name, source.holders);
  if (hole) log.warn(hole);
  refuseMapped(job);
  checkMemory(job);

  const started = performance.now();
  const first = readBlocks(source.readFd);
  const compressed = await compressSource(first, headerFieldsFor(facts, job.opts));
  const read = { name: STEP.read, ms: Math.round(performance.now() - started) };
  log.info(`read ${bytes(first.size)}; compressed to ${bytes(compressed.size)} (${percent(compressed.size, first.size)})`);
  const place = copyTruncatePlace(facts.dev, job.outputFs, job.stashes, compressed.size, job.archive?.bytes);
  if (job.archive)
    log.info(`${job.outputPath} already holds ${bytes(job.archive.content.size)} an earlier run copied: the new copy is appended to it as further gzip members, and those bytes are kept`);
  log.info(`copy goes ${place.kind === 'beside' ? `to ${job.outputPath}` : 'to a stash'}: ${place.reason}`);
  const steps = truncateSteps(place, { size: first.size, compressedSize: compressed.size, gz: gzPlace(job.fileFs, job.outputFs) });
  const windows = windowsOf(steps, ramPlace(place.kind === 'stash' ? place.stash : undefined));
  planLines(steps, windows).forEach((line) => log.info(line));
  const base = { place, size: first.size, compressedSize: compressed.size, caught: 0, rounds: 0, lostAtLeast: 0, freed: 0, windows };
  job.trace.steps = stepsJson(steps);
  const refused = unsafeRefusal(windows, job.opts);
  if (refused) throw refused;
  if (job.opts.simulate) {
    log.success(`simulation only: nothing was written; ${name} would be emptied in place once its copy is durable and verified`);
    return { ...base, simulated: true };
  }
  const ctx: TruncateCtx = { name, readFd: source.readFd, writeFd: source.writeFd, facts, outputPath: job.outputPath, level: job.opts.level, first, compressed, archive: job.archive, say: log };
  await execute({ steps, ctx, log, done: [read], into: job.trace, leftBehind: (cause, c) => leftBehind(job, c, cause) });
  return done(job, ctx, base);
}

/** Truncated, the copy is all there is: when it is in the stash and the .gz was not written from it, the stash stays for --resume. */
function leftBehind(job: TruncateJob, c: TruncateCtx, cause: unknown): unknown {
  if (!onlyInStash(c)) return cause;
  const { paths } = c.stash!;
  // A deleted file reached through /proc has no folder to write beside: the command names DEST.
  const command = `cmemgzip --resume ${isProcFd(job.source.name) ? `-o ${shellQuote(job.outputPath)} ` : ''}${shellQuote(job.source.name)}`;
  return new LeftBehind(toCmemError(cause, `writing ${job.outputPath}`), [{ path: paths.data, command }, { path: paths.manifest, command }]);
}

/** What the run did, from what its steps left in ctx. */
function done(job: TruncateJob, c: TruncateCtx, base: Omit<TruncateResult, 'simulated'>): TruncateResult {
  const { source, log } = job;
  const { name } = source;
  const progress = c.progress!;
  const before = c.before!;
  const result: TruncateResult = { ...base, ...progress, caught: progress.size - c.first.size, lostAtLeast: before.size - progress.size, freed: before.blocks * 512, simulated: false };
  // A warning of the operand's report, not a passing line: as with gzip, it makes the exit status 2.
  if (source.holders.some((h) => h.writes) || result.lostAtLeast > 0)
    result.warning =
      `${name}: lines written in the last instant, between the final read and the truncation, can be lost, as with logrotate's copytruncate` +
      (result.lostAtLeast > 0 ? `: ${bytes(result.lostAtLeast)} were` : '');
  const earlier = job.archive ? `the earlier archive's ${bytes(job.archive.content.size)}, kept, then ` : '';
  log.info(`verified ${job.outputPath}: it decompresses to ${earlier}the ${bytes(progress.size)} that were read`);
  log.success(
    `${name} -> ${job.outputPath}: ${bytes(result.size)} -> ${bytes(result.compressedSize)} (${percent(result.compressedSize, result.size)}), ` +
      `${bytes(result.freed)} given back by the truncation` +
      (job.archive ? `; appended as further gzip members to the earlier archive, whose ${bytes(job.archive.content.size)} of content are kept` : ''),
  );
  return result;
}

/** The report's fields for a copy-and-truncate run. */
export function truncateReport(r: TruncateResult): Partial<FileReport> {
  return {
    status: r.simulated ? 'simulated' : 'compressed',
    strategy: r.place.kind,
    reason: `copytruncate: ${r.place.reason}`,
    stash: r.place.kind === 'stash' ? r.place.stash.dir : undefined,
    originalBytes: r.size,
    compressedBytes: r.compressedSize,
    ratio: r.compressedSize / Math.max(1, r.size),
    freedBytes: r.freed,
    windows: r.windows,
    copytruncate: { caughtBytes: r.caught, rounds: r.rounds, lostAtLeastBytes: r.lostAtLeast },
    warning: r.warning ? { code: 'LINES_MAY_BE_LOST', message: r.warning } : undefined,
  };
}
