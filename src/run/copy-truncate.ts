// --copytruncate's core, for a named file or a deleted one reached through /proc/PID/fd/N: compress
// what is there, make it durable (beside, or in a stash), catch up with what the writer appended
// meanwhile as further gzip members, truncate to 0 through our own descriptor, then write the .gz
// from the stash if that is where it was. The file itself is never rewritten: a process writes to it.
import fs from 'node:fs';
import { CmemError, toCmemError } from '../errors.js';
import { copyTruncatePlace, type Place } from '../plan/copytruncate-place.js';
import { describeHolder, nulHoleWarning } from '../plan/held-open.js';
import type { Options } from '../plan/options.js';
import { memoryNeeded } from '../plan/plan.js';
import type { FileFacts } from '../probe/file.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { Holder } from '../probe/holder.js';
import { findMappers } from '../probe/mappings.js';
import { availableMemory } from '../probe/memory.js';
import type { StashCandidate } from '../probe/stash.js';
import { bytes, percent } from '../text/format.js';
import type { FileReport } from '../report/file-report.js';
import type { Logger } from '../report/logger.js';
import { appendedContent, appendInPlace, appendTarget, writeAppendedTemp, type Archive } from '../steps/append-archive.js';
import { appendMember } from '../steps/append-member.js';
import { chunksOf, compressSource, type Compressed } from '../steps/compress.js';
import { estimateCompressed } from '../steps/estimate.js';
import { crc32 } from '../steps/gzip-format.js';
import { headerFieldsFor } from '../steps/header-fields.js';
import { readBlocks, readFileBlocks, type SourceData } from '../steps/read-blocks.js';
import { restoreMetadata, type Metadata } from '../steps/restore-metadata.js';
import { newStashManifest, removeStash, setStashPhase, stashPaths, writeStash, type StashManifest, type StashPaths } from '../steps/stash.js';
import { truncateHeld } from '../steps/truncate-held.js';
import { dropTruncateRecord, leaveTruncateRecord } from '../steps/truncate-record.js';
import { verifyContent } from '../steps/verify-content.js';
import { verifyWritten } from '../steps/verify.js';
import { NotDurable, writeBeside } from '../steps/write-beside.js';
import { LeftBehind } from './execute.js';
import { shellQuote } from '../text/shell-quote.js';
import { critical, onInterrupt, removeOnInterrupt } from './signals.js';
import { at } from '../fs/pinned-folders.js';
import { fsTypeOf, identityOf } from '../probe/identity.js';
import { isProcFd } from '../probe/proc-fd.js';
import { unsafeRefusal, windowsOf, type LossWindows } from '../plan/loss-windows.js';
import { gzPlace, ramPlace, stepsJson, truncateSteps } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { planLines, takeSteps, type StepJson } from '../report/steps-taken.js';
import { reached } from '../steps/reached.js';

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

/** Rounds of catching up before truncating anyway; while the writer is steady each round is shorter. */
const MAX_ROUNDS = 8;

interface Durable {
  file: string;
  stash?: { paths: StashPaths; manifest: StashManifest };
  /** Undoes the copy when we stop before the truncation (the file still holds every byte then). */
  undo(): void;
  /** Puts the copy under the .gz's name, if it is not there yet: just before the truncation. */
  commit?(): void;
  releaseInterrupt(): void;
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

/** The copy made durable where place says, verified, with how to undo it until FILE is truncated. */
async function makeDurable(job: TruncateJob, place: Place, compressed: Compressed, first: SourceData): Promise<Durable> {
  const { facts } = job.source;
  // Beside, the copy is under the .gz's name before FILE is truncated: a note says so meanwhile, for a rerun.
  const note = (temp: string, before: number) => {
    leaveTruncateRecord(facts, { gz: identityOf(fs.lstatSync(at(temp), { bigint: true })), before });
  };
  if (place.kind === 'beside' && job.archive) return appendedBeside(job, job.archive, compressed, first, note);
  if (place.kind === 'beside') return writtenBeside(job, compressed, first, note);
  const paths = stashPaths(place.stash.dir, facts);
  const where = { fsType: fsTypeOf(job.source.name), name: job.source.name };
  const manifest = { ...newStashManifest(facts, where, first, compressed.size, true), ...(job.archive ? { appendTo: appendTarget(job.archive) } : {}) };
  const undo = () => removeStash(paths);
  const releaseInterrupt = onInterrupt(undo);
  reached(STEP.writeStash);
  await writeStash(paths, manifest, chunksOf(compressed), (f) => verifyWritten(f, compressed, first));
  job.log.info(`wrote and verified the stash copy ${paths.data} on ${place.stash.fs.mountPoint} (${place.stash.fs.type})`);
  return { file: paths.data, stash: { paths, manifest }, undo, releaseInterrupt };
}

type Note = (temp: string, before: number) => void;

/** A repeated --copytruncate: a temporary holding the earlier archive's bytes and then the new member, renamed over it just before the truncation. */
async function appendedBeside(job: TruncateJob, archive: Archive, compressed: Compressed, first: SourceData, note: Note): Promise<Durable> {
  const { facts } = job.source;
  let releaseTemp: (() => void) | undefined;
  reached(STEP.copyArchive);
  const temp = writeAppendedTemp(archive, chunksOf(compressed), (t) => {
    releaseTemp = removeOnInterrupt(t);
    note(t, archive.bytes);
  });
  releaseTemp?.();
  // Once renamed (its fsync of the folder failed, say) the copy is the archive: the note stays for the rerun to cut it back.
  const undo = () => {
    if (!fs.existsSync(at(temp.temp))) return;
    temp.remove();
    dropTruncateRecord(facts);
  };
  const releaseInterrupt = onInterrupt(undo);
  try {
    reached(STEP.verify);
    await verifyContent(temp.temp, appendedContent(archive.content, first));
  } catch (err) {
    releaseInterrupt();
    undo();
    throw err;
  }
  job.log.info(`wrote and verified ${temp.temp}: the earlier archive's ${bytes(archive.content.size)} of content, then the new member`);
  return { file: temp.temp, undo, commit: () => temp.commit(), releaseInterrupt };
}

/** The .gz written beside FILE under its own name, verified. */
async function writtenBeside(job: TruncateJob, compressed: Compressed, first: SourceData, note: Note): Promise<Durable> {
  const { facts } = job.source;
  let releaseTemp: (() => void) | undefined;
  await writeBeside(job.outputPath, chunksOf(compressed), facts, (f) => verifyWritten(f, compressed, first), (temp) => {
    releaseTemp?.();
    releaseTemp = temp ? removeOnInterrupt(temp) : undefined;
    if (temp) note(temp, 0);
  }).catch((err: unknown) => {
    // Renamed, only its folder's fsync failed: the copy is under the .gz's name, and the note stays for the rerun.
    if (!(err instanceof NotDurable)) dropTruncateRecord(facts);
    throw err;
  });
  job.log.info(`wrote and verified ${job.outputPath}`);
  const undo = () => {
    fs.rmSync(at(job.outputPath), { force: true });
    dropTruncateRecord(facts);
  };
  return { file: job.outputPath, undo, releaseInterrupt: onInterrupt(undo) };
}

interface Progress {
  size: number;
  crc: number;
  compressedSize: number;
  rounds: number;
}

/**
 * A stash's manifest follows every round, marked as possibly truncated already: that way the last
 * read, the one that finds nothing new, is followed by the truncation at once.
 */
function record(durable: Durable, p: Progress): void {
  if (!durable.stash) return;
  const { paths, manifest } = durable.stash;
  durable.stash.manifest = setStashPhase(paths, { ...manifest, size: p.size, crc: p.crc, compressedSize: p.compressedSize }, 'rewriting');
}

/** Appends what the writer added since `first` was read, until a read finds nothing new or the rounds run out. */
async function catchUp(job: TruncateJob, durable: Durable, first: SourceData, compressed: Compressed): Promise<Progress> {
  reached(STEP.catchUp);
  const progress = { size: first.size, crc: first.crc, compressedSize: compressed.size, rounds: 0 };
  record(durable, progress);
  while (progress.rounds < MAX_ROUNDS) {
    const tail = readBlocks(job.source.readFd, { start: progress.size });
    if (tail.size === 0) break;
    const member = await compressSource(tail, { mtime: job.source.facts.mtimeMs / 1000, level: job.opts.level });
    appendMember(durable.file, chunksOf(member), tail);
    progress.size += tail.size;
    progress.crc = tail.blocks.reduce((crc, block) => crc32(block, crc), progress.crc);
    progress.compressedSize += member.size;
    progress.rounds++;
    record(durable, progress);
  }
  return progress;
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
  return takeSteps(steps, log, [read], job.trace, () => copyAndTruncate(job, place, first, compressed, base));
}

/** The real run of a copy-and-truncate plan: copy, catch up, truncate, then the .gz in its place. */
async function copyAndTruncate(job: TruncateJob, place: Place, first: SourceData, compressed: Compressed, base: Omit<TruncateResult, 'simulated'>): Promise<TruncateResult> {
  const { source, log } = job;
  const { facts, name } = source;
  const durable = await makeDurable(job, place, compressed, first);
  const { progress, before } = await catchUpAndTruncate(job, durable, first, compressed);
  // Past the truncation the note has served (a rerun that still found it would see FILE no longer begins with the copy).
  dropTruncateRecord(facts);
  const copied = { size: progress.size, crc: progress.crc };
  const result: TruncateResult = { ...base, ...progress, caught: progress.size - first.size, lostAtLeast: before.size - progress.size, freed: before.blocks * 512, simulated: false };
  log.info(`truncated ${name} to 0 bytes in place (inode ${facts.ino}, owner and mode unchanged); the writer keeps its descriptor`);
  log.info(`caught ${bytes(result.caught)} written after the first read, in ${result.rounds} more gzip member(s)`);
  // A warning of the operand's report, not a passing line: as with gzip, it makes the exit status 2.
  if (source.holders.some((h) => h.writes) || result.lostAtLeast > 0)
    result.warning =
      `${name}: lines written in the last instant, between the final read and the truncation, can be lost, as with logrotate's copytruncate` +
      (result.lostAtLeast > 0 ? `: ${bytes(result.lostAtLeast)} were` : '');
  // The .gz carries the content's times as they were at the truncation, like the bytes it holds.
  await critical(() => gzInPlace(job, durable, { ...facts, atimeMs: before.atimeMs, mtimeMs: before.mtimeMs }, copied));
  const earlier = job.archive ? `the earlier archive's ${bytes(job.archive.content.size)}, kept, then ` : '';
  log.info(`verified ${job.outputPath}: it decompresses to ${earlier}the ${bytes(progress.size)} that were read`);
  log.success(
    `${name} -> ${job.outputPath}: ${bytes(result.size)} -> ${bytes(result.compressedSize)} (${percent(result.compressedSize, result.size)}), ` +
      `${bytes(result.freed)} given back by the truncation` +
      (job.archive ? `; appended as further gzip members to the earlier archive, whose ${bytes(job.archive.content.size)} of content are kept` : ''),
  );
  return result;
}

/** Catches up with the writer, then truncates FILE (and first renames an appended copy over the archive); before it, a failure undoes the copy. */
async function catchUpAndTruncate(job: TruncateJob, durable: Durable, first: SourceData, compressed: Compressed): Promise<{ progress: Progress; before: fs.Stats }> {
  const { source } = job;
  try {
    const progress = await catchUp(job, durable, first, compressed);
    // From the truncation on, the copy is all there is: an interrupt must not undo it, so that hook goes first.
    const before = await critical(() => {
      durable.releaseInterrupt();
      if (durable.commit) {
        reached(STEP.rename);
        durable.commit();
        reached(STEP.fsyncFolder);
        job.log.info(`renamed it to ${job.outputPath}: the earlier archive with the new members after it`);
      }
      reached(STEP.truncate);
      return truncateHeld(source.writeFd, source.name, source.facts, progress.size);
    });
    return { progress, before };
  } catch (err) {
    durable.releaseInterrupt();
    durable.undo();
    throw err;
  }
}

/** After the truncation: FILE's cut made durable, and the .gz in place with meta, verified against what was copied; from a stash, written now. */
async function gzInPlace(job: TruncateJob, durable: Durable, meta: Metadata, copied: { size: number; crc: number }): Promise<void> {
  const { source, log } = job;
  reached(STEP.fsyncFile);
  try {
    fs.fsyncSync(source.writeFd);
  } catch (err) {
    // The copy is whole either way; only the cut's durability is in doubt, and undoing it would lose nothing less.
    log.warn(`could not fsync ${source.name} after the truncation (${(err as NodeJS.ErrnoException).code}): after a power cut it may come back at its old length; the .gz holds every byte`);
  }
  if (!durable.stash) {
    reached(STEP.verify);
    const fd = fs.openSync(at(job.outputPath), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      restoreMetadata(fd, meta);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    await verifyContent(job.outputPath, job.archive ? appendedContent(job.archive.content, copied) : copied);
    return;
  }
  const { paths } = durable.stash;
  try {
    if (job.archive) {
      reached(STEP.appendStash);
      await appendInPlace(job.outputPath, appendTarget(job.archive), readFileBlocks(paths.data), copied, meta);
    } else await writeBeside(job.outputPath, readFileBlocks(paths.data), meta, (f) => verifyContent(f, copied), () => {});
  } catch (err) {
    // A deleted file reached through /proc has no folder to write beside: the command names DEST.
    const command = `cmemgzip --resume ${isProcFd(source.name) ? `-o ${shellQuote(job.outputPath)} ` : ''}${shellQuote(source.name)}`;
    throw new LeftBehind(toCmemError(err, `writing ${job.outputPath}`), [{ path: paths.data, command }, { path: paths.manifest, command }]);
  }
  reached(STEP.removeStash);
  removeStash(paths);
  log.info(`wrote ${job.outputPath} from the stash now that the space is free; removed the stash`);
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
