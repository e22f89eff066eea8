// Block mode, tail first: each block is read, compressed into a durable part, and only then cut off
// the file, so at every instant each byte is in FILE or in a fsynced part. Memory stays near one block.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { JOURNAL_INODES, type BlockPlan } from '../plan/block-plan.js';
import { runningElsewhere, thisRun } from '../probe/live-run.js';
import { fsTypeOf, identityAt, identityOf, sameIdentity } from '../probe/identity.js';
import { currentName } from '../probe/renamed.js';
import { assertNoOpeners, hiddenFor, hideSource, isHiddenName } from '../steps/hide-source.js';
import type { FileFacts } from '../probe/file.js';
import { bytes, duration, speed } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { chunksOf, readAndCompress, type Compressed } from '../steps/compress.js';
import {
  closeJournal,
  createJournal,
  journalBeside,
  journalInStash,
  partPath,
  removeJournal,
  writeJournal,
  writePart,
  type JournalManifest,
  type JournalPaths,
} from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { readFileBlocks, type SourceData } from '../steps/read-blocks.js';
import { headerFieldsFor } from '../steps/header-fields.js';
import { verifyWritten } from '../steps/verify.js';
import { writeChunks } from '../steps/write-chunks.js';
import { checksumFd } from '../steps/checksum-file.js';
import { shellQuote } from '../text/shell-quote.js';
import { isNoRoom } from '../fs/no-room.js';
import { assembleParts } from './assemble.js';
import { secondLink, type Journaled } from './find-journal.js';
import { critical } from './signals.js';
import { blockStep } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { reached } from '../steps/reached.js';

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
    version: 3,
    kind: 'blocks',
    dev: facts.dev,
    ino: facts.ino,
    birth: facts.birth,
    fsType: fsTypeOf(facts.dir),
    name: facts.path,
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
    replaces: identityAt(at(job.outputPath)),
    ...thisRun(),
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

const changed = (file: string) =>
  new CmemError(
    'CHANGED',
    `${file} changed while block mode was running (another process wrote inside it, or cut it short); stopped, nothing more is touched`,
    `every byte is in ${file} or in the journal's parts: stop the writer, then run: cmemgzip --resume ${shellQuote(file)}`,
  );

/**
 * Bytes a writer appended past where FILE should end (a `>>` in a loop, a logger that opens, writes and
 * closes: no holder to see) are the log's newest lines. Each run of them is saved as further parts after
 * the tail, so the content grows by them; then FILE is cut to cutTo in the same breath as the last look
 * at its size, so that the only moment left for a line to land and be cut is between two system calls.
 */
async function absorbThenCut(fd: number, seen: Seen, cutTo: number, m: JournalManifest, journal: JournalPaths | undefined, file: string, log: Logger, saved = seen.size): Promise<Seen> {
  let upTo = saved;
  for (;;) {
    const now = observe(fd);
    if (now.size === upTo) {
      // Only a write moves mtime; a rename (logrotate) or a chmod moves ctime alone and changes no byte.
      if (upTo === seen.size && now.mtimeMs !== seen.mtimeMs) throw changed(file);
      if (upTo === cutTo) return seen;
      const cut = truncateTo(fd, cutTo);
      // Cut: those bytes are the parts' alone now, and the next ones appended at the same place are new.
      if (journal && m.parts.some((p) => p.at !== undefined)) {
        m.parts = m.parts.map(({ at: _cut, ...p }) => p);
        writeJournal(journal, m);
      }
      if (upTo > seen.size) log.warn(`${file} grew by ${bytes(upTo - seen.size)} while block mode ran (a writer appends to it): saved as further gzip members after the tail, then cut off`);
      return cut;
    }
    if (!journal || now.size < upTo) throw changed(file);
    for (; upTo < now.size; ) {
      const length = Math.min(m.blockSize, now.size - upTo);
      const { source, compressed } = await readAndCompress(fd, { start: upTo, length }, { mtime: 0, level: m.level });
      if (source.size !== length) throw changed(file);
      const index = Math.max(Math.ceil(m.size / m.blockSize) - 1, ...m.parts.map((p) => p.index)) + 1;
      const record = { index, offset: m.size, length, crc: source.crc, compressedSize: compressed.size, at: upTo };
      m.size += length;
      await commitPart(journal, m, record, source, compressed);
      upTo += length;
    }
  }
}

const partsBytes = (m: JournalManifest) => m.parts.reduce((n, p) => n + p.compressedSize, 0);

/** Whether FILE's filesystem has room for the whole journal now: its bytes and its inodes (one per part). */
function roomBeside(dir: string, m: JournalManifest, blockSize: number): boolean {
  const st = fs.statfsSync(at(dir));
  const inodes = st.files === 0 || st.ffree >= JOURNAL_INODES + m.parts.length + 1;
  return inodes && st.bavail * st.bsize > partsBytes(m) + 2 * blockSize;
}

/** The cut, made durable. What it returns says FILE ends at offset: bytes appended meanwhile (during the fsync) count as appended, not as FILE's own. */
function truncateTo(fd: number, offset: number): Seen {
  fs.ftruncateSync(fd, offset);
  fs.fsyncSync(fd);
  return { ...observe(fd), size: offset };
}

/** Moves the journal from the stash to beside FILE once truncation has made room there. */
function moveBeside(from: JournalPaths, m: JournalManifest, dir: string, log: Logger): JournalPaths {
  const to = journalBeside(dir, m);
  createJournal(to);
  for (const part of m.parts) writePart(to, part.index, readFileBlocks(partPath(from, part.index)));
  writeJournal(to, m);
  removeJournal(from);
  log.detail(`journal moved from the stash to ${to.folder}`);
  return to;
}

/** Starts block mode: the journal where the plan says (none yet in the one-block window), then the loop. */
/** What a block-mode job ends with: its manifest, and the .gz's name (the file's new one if logrotate renamed it). */
export interface BlocksDone {
  manifest: JournalManifest;
  output: string;
}

export async function startBlocks(job: BlockJob): Promise<BlocksDone> {
  const { facts, plan, log } = job;
  const manifest = newManifest(job);
  const journal =
    plan.firstPart === 'beside' ? journalBeside(facts.dir, facts) : plan.firstPart === 'stash' ? journalInStash(plan.stash!.dir, facts) : undefined;
  if (journal) {
    reached(STEP.createJournal);
    createJournal(journal);
    writeJournal(journal, manifest);
    log.info(`journal ${journal.manifest}`);
  }
  return { manifest, output: await continueBlocks(facts, manifest, journal, job.outputPath, log) };
}

/** Resumes an interrupted run from its journal: FILE's size says which blocks are left. */
export async function resumeBlocks(found: Journaled, facts: FileFacts, outputPath: string, force: boolean, log: Logger): Promise<BlocksDone> {
  const m = found.manifest;
  // Two runs on one journal would truncate and assemble over each other: the .gz ends up corrupt.
  if (runningElsewhere(m)) {
    closeJournal(found.journal);
    throw new CmemError(
      'HELD_OPEN',
      `${facts.path} is being compressed in blocks by another cmemgzip (PID ${m.pid}); its journal ${found.journal.manifest} is in use`,
      `wait for PID ${m.pid} to finish; if it hangs, stop it, then run: cmemgzip --resume ${facts.path}`,
    );
  }
  if (facts.kind === 'file' && facts.nlink > 1 && !force) {
    closeJournal(found.journal);
    throw secondLink(facts, found.journal.manifest);
  }
  log.warn(`found the journal of an interrupted block-mode run: ${found.journal.manifest} (started ${m.createdAt} by PID ${m.pid}), ${m.parts.length} parts saved; resuming`);
  if (facts.kind === 'missing') {
    reached(STEP.removeEmpty);
    removeJournal(found.journal);
    log.info(`${outputPath} was already complete; removed the journal`);
    return { manifest: m, output: outputPath };
  }
  return { manifest: m, output: await continueBlocks(facts, m, found.journal, outputPath, log) };
}

/** A block read and compressed, waiting for its part to be written and the cut. */
interface Prepared {
  offset: number;
  source: SourceData;
  compressed: Compressed;
}

/** Where FILE should end now: past the lowest part when that block was saved but not yet cut (its bytes still there). */
function savedUncut(fd: number, m: JournalManifest, end: number, log: Logger): number {
  const lowest = m.parts.find((p) => p.offset === end);
  if (!lowest || observe(fd).size < end + lowest.length || checksumFd(fd, lowest.length, end).crc !== lowest.crc) return end;
  log.info(`block ${lowest.index} was saved but not yet cut off the file: cutting it now`);
  return end + lowest.length;
}

/**
 * Appended bytes a run saved as parts and was killed before cutting are still in FILE past where it
 * should end: how far FILE's bytes are saved already, so that a rerun saves only what came after them.
 */
function alreadySaved(fd: number, m: JournalManifest, expected: number): number {
  let saved = expected;
  for (const p of [...m.parts].filter((p) => p.at !== undefined && p.at >= expected).sort((a, b) => a.at! - b.at!))
    if (p.at === saved && checksumFd(fd, p.length, p.at).crc === p.crc && checksumFd(fd, p.length, p.at).size === p.length) saved += p.length;
  return saved;
}

/** The tail-first loop from where the manifest stands, then assembly. */
async function continueBlocks(facts: FileFacts, m: JournalManifest, initial: JournalPaths | undefined, outputPath: string, log: Logger): Promise<string> {
  let journal = initial;
  // Where the file's inode is: FILE, or its hidden name once the first cut is near.
  let hidden = facts.path;
  const fd = fs.openSync(at(facts.path), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  try {
    let end = remainingBytes(m);
    const expected = takeOver(fd, facts, m, journal, log);
    if (journal) hidden = await hideFirst(facts, m, journal, log);
    let seen = await absorbThenCut(fd, { ...observe(fd), size: expected }, end, m, journal, facts.path, log, alreadySaved(fd, m, expected));
    const blockSize = m.blockSize;
    const started = performance.now();
    // An empty file still gets one (empty) member: a .gz of nothing is 20 bytes, not 0.
    const last = end === 0 && m.parts.length === 0 ? 0 : Math.ceil(end / blockSize) - 1;
    const prepare = (index: number, upTo: number) => prepareBlock(fd, facts, m, seen.size, index, upTo);
    let next: Promise<Prepared> | undefined = last >= 0 ? prepare(last, end) : undefined;
    for (let index = last; index >= 0; index--) {
      reached(blockStep(index, 'read'));
      const prepared: Prepared = await next!;
      const { offset, source, compressed } = prepared;
      const record = { index, offset, length: source.size, crc: source.crc, compressedSize: compressed.size };
      // The block below compresses on the pool while this one is written, checked and cut: it lies below the cut.
      next = index > 0 ? prepare(index - 1, offset) : undefined;
      next?.catch(() => {});
      // Bytes a writer appended since the read would be cut off with the block: saved first, right before each cut.
      seen = await absorbThenCut(fd, seen, seen.size, m, journal, facts.path, log);
      if (!journal) {
        journal = await firstBlockInWindow(fd, facts, source, index, offset, (j) => commitPart(j, m, record, source, compressed), log);
        hidden = await hideFirst(facts, m, journal, log);
        seen = { ...observe(fd), size: offset };
      } else {
        reached(blockStep(index, 'part'));
        await commitPart(journal, m, record, source, compressed);
        reached(blockStep(index, 'cut'));
        seen = await absorbThenCut(fd, seen, offset, m, journal, facts.path, log);
      }
      end = offset;
      log.detail(`block ${index}: ${bytes(source.size)} -> ${bytes(compressed.size)}, file now ${bytes(offset)}`);
      if (journal.stash && roomBeside(facts.dir, m, blockSize)) journal = moveBeside(journal, m, facts.dir, log);
    }
    const ms = performance.now() - started;
    log.info(`all ${m.parts.length} blocks saved as parts in ${duration(ms)} (${speed(m.size, ms)}); ${facts.path} is now empty`);
  } finally {
    fs.closeSync(fd);
  }
  if (!journal) throw new CmemError('IO', 'block mode ended without a journal');
  return assembleUnderName(journal, m, facts.path, hidden, outputPath, log);
}

/** Checks the file is the journal's and makes the journal this run's; returns where FILE should end now. */
function takeOver(fd: number, facts: FileFacts, m: JournalManifest, journal: JournalPaths | undefined, log: Logger): number {
  if (!sameIdentity(identityOf(fs.fstatSync(fd, { bigint: true })), m)) throw new CmemError('CHANGED', `${facts.path} is no longer the file the journal describes`);
  // From here on the journal is ours: a run started meanwhile must see a live owner.
  if (journal && m.pid !== process.pid) {
    Object.assign(m, thisRun());
    writeJournal(journal, m);
  }
  const expected = savedUncut(fd, m, remainingBytes(m), log);
  if (observe(fd).size < expected)
    throw new CmemError('CHANGED', `${facts.path} is ${observe(fd).size} bytes, the journal expects ${expected}; left as it is`, 'compare the file with the journal before going on');
  return expected;
}

/** Reads and compresses one block; started only after the last cut was observed (at cutAt), so the checks before each cut cover the read. */
async function prepareBlock(fd: number, facts: FileFacts, m: JournalManifest, cutAt: number, index: number, upTo: number): Promise<Prepared> {
  // Appends land past the cut and are caught before it; a file shorter than the cut was cut by another.
  if (observe(fd).size < cutAt) throw changed(facts.path);
  const offset = index * m.blockSize;
  // The name gzip -N gives back is FILE's, not the hidden one a resumed job works under.
  const base = isHiddenName(facts.path) ? path.basename(hiddenFor(facts.path) ?? m.name) : facts.base;
  const header = index === 0 ? headerFieldsFor({ base, mtimeMs: m.mtimeMs }, { name: m.storeName, level: m.level }) : { mtime: 0, level: m.level };
  // Read and compressed at once: the pool starts on the first MiB instead of waiting for the whole block.
  const { source, compressed } = await readAndCompress(fd, { start: offset, length: upTo - offset }, header);
  if (source.size !== upTo - offset) throw new CmemError('CHANGED', `${facts.path} is shorter than expected at block ${index}`);
  return { offset, source, compressed };
}

/** Assembles the .gz under FILE's name, or under the one logrotate gave the file where it could not be hidden. */
async function assembleUnderName(journal: JournalPaths, m: JournalManifest, file: string, hidden: string, outputPath: string, log: Logger): Promise<string> {
  const now = currentName(hidden, m) ?? hidden;
  const output = now !== hidden && outputPath.startsWith(file) ? now + outputPath.slice(file.length) : outputPath;
  if (now !== hidden) log.warn(`${file} was renamed to ${now} while block mode ran (logrotate, say): the .gz is ${output}, and ${file} is another file now, left alone`);
  await assembleParts(journal, m, now, output, log);
  return output;
}

/** Hides FILE from writers by name before any cut (a resume from the hidden name finds it there); a journal with nothing in it goes when FILE got its name back. */
async function hideFirst(facts: FileFacts, m: JournalManifest, journal: JournalPaths, log: Logger): Promise<string> {
  if (isHiddenName(facts.path)) {
    await assertNoOpeners(facts.path, { dev: facts.dev, ino: facts.ino }, hiddenFor(facts.path) ?? m.name);
    return facts.path;
  }
  reached(STEP.hide);
  try {
    const hidden = await hideSource(facts.path, { ...m, dev: facts.dev }, (why) => log.warn(why));
    if (hidden !== facts.path) log.info(`${facts.path} moved to ${hidden} while it is cut: lines a writer appends by name go to a new ${facts.path}`);
    return hidden;
  } catch (err) {
    if (m.parts.length === 0 && sameIdentity(identityAt(at(facts.path)), m)) removeJournal(journal);
    throw err;
  }
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
  const journal = journalBeside(facts.dir, facts);
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
