// Block mode, tail first: each block is read, compressed into a durable part, and only then cut off
// the file, so at every instant each byte is in FILE or in a fsynced part. Memory stays near one block.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { JOURNAL_INODES, type BlockPlan } from '../plan/block-plan.js';
import { runningElsewhere } from '../probe/live-run.js';
import { uniqueDirs } from '../probe/stash.js';
import type { FileFacts } from '../probe/file.js';
import { bytes, duration, speed } from '../report/format.js';
import type { Logger } from '../report/logger.js';
import { chunksOf, readAndCompress, type Compressed } from '../steps/compress.js';
import {
  closeJournal,
  createJournal,
  journalBeside,
  journalInStash,
  journalsInStash,
  openJournal,
  partPath,
  partsIn,
  readJournal,
  removeJournal,
  writeJournal,
  writePart,
  type JournalManifest,
  type JournalPaths,
} from '../steps/journal.js';
import { at } from '../steps/pinned-folders.js';
import { readFileBlocks, type SourceData } from '../steps/read-blocks.js';
import { headerFieldsFor } from '../steps/header-fields.js';
import { verifyWritten } from '../steps/verify.js';
import { writeChunks } from '../steps/write-chunks.js';
import { isNoRoom } from '../steps/no-room.js';
import { assembleParts } from './assemble.js';
import { critical } from './signals.js';
import { blockStep, STEP } from '../plan/steps.js';
import { reached } from '../report/steps-taken.js';

export interface BlockJob {
  facts: FileFacts;
  plan: BlockPlan;
  outputPath: string;
  level: number;
  /** False with -n: no name and no mtime in the header, like gzip -n. */
  storeName: boolean;
  log: Logger;
}

export function newManifest(job: BlockJob): JournalManifest {
  const { facts } = job;
  return {
    version: 2,
    kind: 'blocks',
    dev: facts.dev,
    ino: facts.ino,
    size: facts.size,
    blockSize: job.plan.blockSize,
    level: job.level,
    storeName: job.storeName,
    uid: facts.uid,
    gid: facts.gid,
    mode: facts.mode,
    atimeMs: facts.atimeMs,
    mtimeMs: facts.mtimeMs,
    parts: [],
    assembledParts: 0,
    assembledBytes: 0,
    pid: process.pid,
    createdAt: new Date().toISOString(),
  };
}

/** Where the file ends now, as the manifest says it should: below the lowest part written. */
export const remainingBytes = (m: JournalManifest) => (m.parts.length === 0 ? m.size : Math.min(...m.parts.map((p) => p.offset)));

/** The (size, times) the file had when we last touched it; anything else means another writer. */
interface Seen {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

function observe(fd: number): Seen {
  const st = fs.fstatSync(fd);
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

function assertQuiet(fd: number, seen: Seen, file: string): void {
  const now = observe(fd);
  if (now.size !== seen.size || now.mtimeMs !== seen.mtimeMs || now.ctimeMs !== seen.ctimeMs)
    throw new CmemError(
      'CHANGED',
      `${file} changed while block mode was running (another process writes to it); stopped, nothing more is touched`,
      `every byte is in ${file} or in the journal's parts; bytes past the journal's end are the writer's: stop it, move them out of ${file}, then run: cmemgzip --resume ${file}`,
    );
}

const partsBytes = (m: JournalManifest) => m.parts.reduce((n, p) => n + p.compressedSize, 0);

/** Whether FILE's filesystem has room for the whole journal now: its bytes and its inodes (one per part). */
function roomBeside(dir: string, m: JournalManifest, blockSize: number): boolean {
  const st = fs.statfsSync(at(dir));
  const inodes = st.files === 0 || st.ffree >= JOURNAL_INODES + m.parts.length + 1;
  return inodes && st.bavail * st.bsize > partsBytes(m) + 2 * blockSize;
}

function truncateTo(fd: number, offset: number): Seen {
  fs.ftruncateSync(fd, offset);
  fs.fsyncSync(fd);
  return observe(fd);
}

/** Moves the journal from the stash to beside FILE once truncation has made room there. */
function moveBeside(from: JournalPaths, m: JournalManifest, file: string, log: Logger): JournalPaths {
  const to = journalBeside(file);
  createJournal(to);
  for (const part of m.parts) writePart(to, part.index, readFileBlocks(partPath(from, part.index)));
  writeJournal(to, m);
  removeJournal(from);
  log.detail(`journal moved from the stash to ${to.folder}`);
  return to;
}

export interface Journaled {
  journal: JournalPaths;
  manifest: JournalManifest;
}

/** Starts block mode: the journal where the plan says (none yet in the one-block window), then the loop. */
export async function startBlocks(job: BlockJob): Promise<JournalManifest> {
  const { facts, plan, log } = job;
  const manifest = newManifest(job);
  const journal =
    plan.firstPart === 'beside' ? journalBeside(facts.path) : plan.firstPart === 'stash' ? journalInStash(plan.stash!.dir, facts.dev, facts.ino) : undefined;
  if (journal) {
    reached(STEP.createJournal);
    createJournal(journal);
    writeJournal(journal, manifest);
    log.info(`journal ${journal.manifest}`);
  }
  await continueBlocks(facts, manifest, journal, job.outputPath, log);
  return manifest;
}

/** Resumes an interrupted run from its journal: FILE's size says which blocks are left. */
export async function resumeBlocks(found: Journaled, facts: FileFacts, outputPath: string, log: Logger): Promise<JournalManifest> {
  const m = found.manifest;
  // Two runs on one journal would truncate and assemble over each other: the .gz ends up corrupt.
  if (runningElsewhere(m.pid)) {
    closeJournal(found.journal);
    throw new CmemError(
      'HELD_OPEN',
      `${facts.path} is being compressed in blocks by another cmemgzip (PID ${m.pid}); its journal ${found.journal.manifest} is in use`,
      `wait for PID ${m.pid} to finish; if it hangs, stop it, then run: cmemgzip --resume ${facts.path}`,
    );
  }
  log.warn(`found the journal of an interrupted block-mode run: ${found.journal.manifest} (started ${m.createdAt} by PID ${m.pid}), ${m.parts.length} parts saved; resuming`);
  if (facts.kind === 'missing') {
    removeJournal(found.journal);
    log.info(`${outputPath} was already complete; removed the journal`);
    return m;
  }
  await continueBlocks(facts, m, found.journal, outputPath, log);
  return m;
}

/** A block read and compressed, waiting for its part to be written and the cut. */
interface Prepared {
  offset: number;
  source: SourceData;
  compressed: Compressed;
}

/** The tail-first loop from where the manifest stands, then assembly. */
async function continueBlocks(facts: FileFacts, m: JournalManifest, initial: JournalPaths | undefined, outputPath: string, log: Logger): Promise<void> {
  let journal = initial;
  const fd = fs.openSync(at(facts.path), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    if (st.dev !== m.dev || st.ino !== m.ino) throw new CmemError('CHANGED', `${facts.path} is no longer the file the journal describes`);
    let end = remainingBytes(m);
    if (st.size !== end) {
      const lowest = m.parts.find((p) => p.offset === end);
      if (!lowest || st.size !== lowest.offset + lowest.length)
        throw new CmemError('CHANGED', `${facts.path} is ${st.size} bytes, the journal expects ${end}; left as it is`, 'compare the file with the journal before going on');
      log.info(`block ${lowest.index} was saved but not yet cut off the file: cutting it now`);
    }
    // From here on the journal is ours: a run started meanwhile must see a live owner.
    if (journal && m.pid !== process.pid) {
      m.pid = process.pid;
      writeJournal(journal, m);
    }
    let seen = truncateTo(fd, end);
    const blockSize = m.blockSize;
    const started = performance.now();
    // An empty file still gets one (empty) member: a .gz of nothing is 20 bytes, not 0.
    const last = end === 0 && m.parts.length === 0 ? 0 : Math.ceil(end / blockSize) - 1;
    /** Reads and compresses one block; started only after the last cut was observed, so assertQuiet covers the read. */
    const prepare = async (index: number, upTo: number): Promise<Prepared> => {
      assertQuiet(fd, seen, facts.path);
      const offset = index * blockSize;
      const header = index === 0 ? headerFieldsFor({ base: facts.base, mtimeMs: m.mtimeMs }, { name: m.storeName, level: m.level }) : { mtime: 0, level: m.level };
      // Read and compressed at once: the pool starts on the first MiB instead of waiting for the whole block.
      const { source, compressed } = await readAndCompress(fd, { start: offset, length: upTo - offset }, header);
      if (source.size !== upTo - offset) throw new CmemError('CHANGED', `${facts.path} is shorter than expected at block ${index}`);
      return { offset, source, compressed };
    };
    let next: Promise<Prepared> | undefined = last >= 0 ? prepare(last, end) : undefined;
    for (let index = last; index >= 0; index--) {
      reached(blockStep(index, 'read'));
      const prepared: Prepared = await next!;
      const { offset, source, compressed } = prepared;
      const record = { index, offset, length: source.size, crc: source.crc, compressedSize: compressed.size };
      // The block below compresses on the pool while this one is written, checked and cut: it lies below the cut.
      next = index > 0 ? prepare(index - 1, offset) : undefined;
      next?.catch(() => {});
      // Bytes a writer appended since the read would be cut off with the block: check right before each cut.
      assertQuiet(fd, seen, facts.path);
      if (!journal) {
        journal = await firstBlockInWindow(fd, facts, source, index, offset, (j) => commitPart(j, m, record, source, compressed), log);
      } else {
        reached(blockStep(index, 'part'));
        await commitPart(journal, m, record, source, compressed);
        assertQuiet(fd, seen, facts.path);
        reached(blockStep(index, 'cut'));
        truncateTo(fd, offset);
      }
      seen = observe(fd);
      end = offset;
      log.detail(`block ${index}: ${bytes(source.size)} -> ${bytes(compressed.size)}, file now ${bytes(offset)}`);
      if (journal.folder !== journalBeside(facts.path).folder && roomBeside(facts.dir, m, blockSize))
        journal = moveBeside(journal, m, facts.path, log);
    }
    const ms = performance.now() - started;
    log.info(`all ${m.parts.length} blocks saved as parts in ${duration(ms)} (${speed(m.size, ms)}); ${facts.path} is now empty`);
  } finally {
    fs.closeSync(fd);
  }
  if (!journal) throw new CmemError('IO', 'block mode ended without a journal');
  await assembleParts(journal, m, facts.path, outputPath, log);
}

async function commitPart(
  journal: JournalPaths,
  m: JournalManifest,
  record: JournalManifest['parts'][number],
  source: SourceData,
  compressed: Compressed,
): Promise<void> {
  writePart(journal, record.index, chunksOf(compressed));
  await verifyWritten(partPath(journal, record.index), compressed, source);
  m.parts = [...m.parts.filter((p) => p.index !== record.index), record];
  writeJournal(journal, m);
}

/**
 * At 0 bytes free with no stash: the tail block is cut off first and its part written into the space
 * that frees. Until the part is durable its bytes are only in memory: signals are held, and on failure
 * the bytes are written back.
 */
async function firstBlockInWindow(
  fd: number,
  facts: FileFacts,
  source: SourceData,
  index: number,
  offset: number,
  commit: (j: JournalPaths) => Promise<void>,
  log: Logger,
): Promise<JournalPaths> {
  const journal = journalBeside(facts.path);
  log.warn(`one-block window: the last ${bytes(source.size)} are only in memory until their part is written`);
  return critical(async () => {
    try {
      // Inside the try: an fsync that fails after the cut must still write the block back.
      reached(blockStep(index, 'cut'));
      truncateTo(fd, offset);
      reached(STEP.createJournal);
      createJournal(journal);
      reached(blockStep(index, 'part'));
      await commit(journal);
      return journal;
    } catch (err) {
      log.error(`could not write the first part (${(err as Error).message}); writing the block back`);
      try {
        writeChunks(fd, source.blocks, offset);
      } catch (again) {
        if (!isNoRoom(again)) throw again;
        // The part took the room the block needs back: drop it and write again. Meanwhile the block is in
        // memory alone, as it has been all along in this window (signals are still held).
        removeJournal(journal);
        writeChunks(fd, source.blocks, offset);
      }
      fs.fsyncSync(fd);
      removeJournal(journal);
      throw err;
    }
  });
}

/** Runs a look into a state folder; one that fails its check is reported and passed over. */
function safely<T>(look: () => T, log: Logger): T | undefined {
  try {
    return look();
  } catch (err) {
    if (!(err instanceof CmemError)) throw err;
    log.warn(err.message);
    return undefined;
  }
}

/**
 * Finds the journal of an interrupted block-mode run on this file, beside it or in a stash, and holds it
 * open. Only a manifest of ours naming this file's dev and inode counts; any other is reported and left.
 */
export function findJournal(facts: FileFacts, outputPath: string, stashDirs: readonly string[], log: Logger): Journaled | undefined {
  // FILE is gone only after assembly renamed the .gz into place: then the journal is the one that made it.
  const out = facts.kind === 'missing' ? fs.lstatSync(at(outputPath), { throwIfNoEntry: false }) : undefined;
  const accept = (m: JournalManifest) => (out ? m.output?.dev === out.dev && m.output.ino === out.ino : m.dev === facts.dev && m.ino === facts.ino);
  if (facts.kind !== 'file' && !out) return undefined;
  // Each stash folder once (a symlinked /run/shm, a pointer to --stash), or the one journal would look stale.
  const inStash = (d: string) => (out ? safely(() => journalsInStash(d), log) ?? [] : [journalInStash(d, facts.dev, facts.ino)]);
  const candidates = [journalBeside(facts.path), ...uniqueDirs(stashDirs).flatMap(inStash)].filter((j) => safely(() => openJournal(j), log));
  const read = candidates.map((journal) => ({ journal, manifest: readJournal(journal, accept) }));
  const found = read.filter((j): j is Journaled => j.manifest !== undefined);
  for (const { journal, manifest } of read) {
    if (manifest) continue;
    if (out) {
      closeJournal(journal); // another job's journal in the same state folder
      continue;
    }
    if (fs.existsSync(at(journal.manifest))) {
      // Not this file's, or not of a shape we wrote: reported, never followed, never deleted.
      log.warn(`${journal.manifest} does not describe ${facts.path} as it is now; left in place`);
      closeJournal(journal);
      continue;
    }
    // A folder without a manifest is a run killed before its first one, or a move out of the stash cut short: its parts
    // are copies. Except with no manifest anywhere: then a part is from a one-block window, maybe the only copy of FILE's end.
    const parts = partsIn(journal) ?? [];
    if (parts.length > 0 && found.length === 0) {
      read.forEach((r) => closeJournal(r.journal));
      throw new CmemError(
        'CHANGED',
        `${journal.folder} holds ${parts.join(', ')} but no manifest: a run was killed in its one-block window, and this may be the only copy of the end of ${facts.path}; nothing was touched`,
        `if gzip -t accepts the part, put it back: gzip -dc PART >> ${facts.path}; then remove ${journal.folder} and run cmemgzip again`,
      );
    }
    removeJournal(journal);
  }
  // A run killed while moving the journal out of the stash leaves two; the one beside FILE is the newer.
  found.slice(1).forEach((stale) => removeJournal(stale.journal));
  return found[0];
}
