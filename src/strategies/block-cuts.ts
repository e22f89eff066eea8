// Block mode's tail-first phase as the work of its steps: each block read, its part made durable, and only
// then cut off FILE, so that at every instant each byte is in FILE or in a fsynced part. The state the
// steps share is the job's ctx; blocks.ts writes the order.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { JOURNAL_INODES } from '../plan/block-plan.js';
import { thisRun } from '../probe/live-run.js';
import { identityAt, identityOf, sameIdentity } from '../probe/identity.js';
import { assertNoOpeners, hiddenFor, hideSource, isHiddenName } from '../steps/hide-source.js';
import { bytes } from '../text/format.js';
import { chunksOf, readAndCompress, type Compressed } from '../steps/compress.js';
import { createJournal, journalBeside, partPath, removeJournal, writeJournal, writePart, type JournalManifest, type JournalPaths } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { readFileBlocks, type SourceData } from '../steps/read-blocks.js';
import { headerFieldsFor } from '../steps/header-fields.js';
import { verifyWritten } from '../steps/verify.js';
import { checksumFd } from '../steps/checksum-file.js';
import { shellQuote } from '../text/shell-quote.js';
import { observe, remainingBytes, truncateTo, type BlockCtx, type Prepared, type Say, type Seen } from './block-ctx.js';

const changed = (file: string) =>
  new CmemError(
    'CHANGED',
    `${file} changed while block mode was running (another process wrote inside it, or cut it short); stopped, nothing more is touched`,
    `every byte is in ${file} or in the journal's parts: stop the writer, then run: cmemgzip --resume ${shellQuote(file)}`,
  );

/** A part written, read back and checked against the block's bytes, then recorded in the manifest. */
async function commitPart(journal: JournalPaths, m: JournalManifest, record: JournalManifest['parts'][number], source: SourceData, compressed: Compressed): Promise<void> {
  writePart(journal, record.index, chunksOf(compressed));
  await verifyWritten(partPath(journal, record.index), compressed, source);
  m.parts = [...m.parts.filter((p) => p.index !== record.index), record];
  writeJournal(journal, m);
}

/**
 * Bytes a writer appended past where FILE should end (a `>>` in a loop, a logger that opens, writes and
 * closes: no holder to see) are the log's newest lines. Each run of them is saved as further parts after
 * the tail, so the content grows by them; then FILE is cut to cutTo in the same breath as the last look
 * at its size, so that the only moment left for a line to land and be cut is between two system calls.
 */
async function absorbThenCut(c: BlockCtx, cutTo: number, saved = c.seen!.size): Promise<Seen> {
  const { m, journal, say } = c;
  const fd = c.fd!;
  const seen = c.seen!;
  const file = c.facts.path;
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
      if (upTo > seen.size) say.warn(`${file} grew by ${bytes(upTo - seen.size)} while block mode ran (a writer appends to it): saved as further gzip members after the tail, then cut off`);
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

/** Where FILE should end now: past the lowest part when that block was saved but not yet cut (its bytes still there). */
function savedUncut(c: BlockCtx, end: number): number {
  const lowest = c.m.parts.find((p) => p.offset === end);
  if (!lowest || observe(c.fd!).size < end + lowest.length || checksumFd(c.fd!, lowest.length, end).crc !== lowest.crc) return end;
  c.say.info(`block ${lowest.index} was saved but not yet cut off the file: cutting it now`);
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

/** Opens FILE, checks it is the journal's and makes the journal this run's: once, before the first step that touches FILE. */
export function openFile(c: BlockCtx): number {
  if (c.fd !== undefined) return c.fd;
  const fd = fs.openSync(at(c.facts.path), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  c.fd = fd;
  if (!sameIdentity(identityOf(fs.fstatSync(fd, { bigint: true })), c.m)) throw new CmemError('CHANGED', `${c.facts.path} is no longer the file the journal describes`);
  // From here on the journal is ours: a run started meanwhile must see a live owner.
  if (c.journal && c.m.pid !== process.pid) {
    Object.assign(c.m, thisRun());
    writeJournal(c.journal, c.m);
  }
  const expected = savedUncut(c, remainingBytes(c.m));
  if (observe(fd).size < expected)
    throw new CmemError('CHANGED', `${c.facts.path} is ${observe(fd).size} bytes, the journal expects ${expected}; left as it is`, 'compare the file with the journal before going on');
  c.seen = { ...observe(fd), size: expected };
  return fd;
}

/** Before the first block is read: FILE checked, nobody left holding a hidden FILE, and FILE cut back to where the journal says it ends (bytes appended meanwhile saved first). */
export async function getReady(c: BlockCtx): Promise<void> {
  if (c.ready) return;
  const fd = openFile(c);
  if (c.journal && isHiddenName(c.facts.path)) await assertNoOpeners(c.facts.path, { dev: c.facts.dev, ino: c.facts.ino }, hiddenFor(c.facts.path) ?? c.m.name);
  c.end = remainingBytes(c.m);
  // Looked at again after the hide: a rename moves ctime alone, and only a write may move mtime from here.
  const expected = c.seen!.size;
  c.seen = { ...observe(fd), size: expected };
  c.seen = await absorbThenCut(c, c.end, alreadySaved(fd, c.m, expected));
  c.ready = true;
  c.started = performance.now();
}

/** The job's journal, new: made and recorded before anything of FILE's is touched. */
export function startJournal(c: BlockCtx, journal: JournalPaths): void {
  c.journal = journal;
  createJournal(journal);
  writeJournal(journal, c.m);
  c.say.info(`journal ${journal.manifest}`);
}

/** Puts back a journal that holds nothing while FILE is still the job's under its name: the job never began. */
export function dropEmptyJournal(c: BlockCtx): void {
  if (c.journal && c.m.parts.length === 0 && sameIdentity(identityAt(at(c.facts.path)), c.m)) removeJournal(c.journal);
}

/** Hides FILE from writers by name before any cut (a resume from the hidden name finds it there). */
export async function hide(c: BlockCtx): Promise<void> {
  const { facts, m } = c;
  if (isHiddenName(facts.path)) {
    await assertNoOpeners(facts.path, { dev: facts.dev, ino: facts.ino }, hiddenFor(facts.path) ?? m.name);
    return;
  }
  c.hidden = await hideSource(facts.path, { ...m, dev: facts.dev }, (why) => c.say.warn(why));
  if (c.hidden !== facts.path) c.say.info(`${facts.path} moved to ${c.hidden} while it is cut: lines a writer appends by name go to a new ${facts.path}`);
}

/** Reads and compresses one block; started only after the last cut was observed (at cutAt), so the checks before each cut cover the read. */
async function prepareBlock(c: BlockCtx, cutAt: number, index: number, upTo: number): Promise<Prepared> {
  const { facts, m } = c;
  // Appends land past the cut and are caught before it; a file shorter than the cut was cut by another.
  if (observe(c.fd!).size < cutAt) throw changed(facts.path);
  const offset = index * m.blockSize;
  // The name gzip -N gives back is FILE's, not the hidden one a resumed job works under.
  const base = isHiddenName(facts.path) ? path.basename(hiddenFor(facts.path) ?? m.name) : facts.base;
  const header = index === 0 ? headerFieldsFor({ base, mtimeMs: m.mtimeMs }, { name: m.storeName, level: m.level }) : { mtime: 0, level: m.level };
  // Read and compressed at once: the pool starts on the first MiB instead of waiting for the whole block.
  const { source, compressed } = await readAndCompress(c.fd!, { start: offset, length: upTo - offset }, header);
  if (source.size !== upTo - offset) throw new CmemError('CHANGED', `${facts.path} is shorter than expected at block ${index}`);
  return { index, offset, source, compressed };
}

/** The highest block FILE still holds; an empty file still gets one (empty) member: a .gz of nothing is 20 bytes, not 0. */
export const lastBlock = (c: BlockCtx) => (c.end === 0 && c.m.parts.length === 0 ? 0 : Math.ceil(c.end / c.m.blockSize) - 1);

/** Step "block i: read and compress": the block below starts compressing on the pool while this one is written, checked and cut. */
export async function readBlock(c: BlockCtx, index: number): Promise<void> {
  await getReady(c);
  const block = await (c.next ?? prepareBlock(c, c.seen!.size, index, c.end));
  if (block.index !== index) throw new CmemError('IO', `block ${block.index} was read where block ${index} was due`);
  c.block = block;
  c.next = index > 0 ? prepareBlock(c, c.seen!.size, index - 1, block.offset) : undefined;
  c.next?.catch(() => {});
  // Bytes a writer appended since the read would be cut off with the block: saved first, right before each cut.
  c.seen = await absorbThenCut(c, c.seen!.size);
}

/** Step "block i: write its part": durable, read back and checked, then recorded. */
export async function writeBlockPart(c: BlockCtx): Promise<void> {
  const { index, offset, source, compressed } = c.block!;
  await commitPart(c.journal!, c.m, { index, offset, length: source.size, crc: source.crc, compressedSize: compressed.size }, source, compressed);
}

/** The cut may take a block off FILE only once its part is recorded: the one-block window alone cuts first. */
export function assertSaved(c: BlockCtx, index: number): void {
  if (c.block?.index !== index || !c.m.parts.some((p) => p.index === index))
    throw new CmemError('IO', `block ${index} has no part recorded in the journal; it was not cut off ${c.facts.path}`);
}

/** Step "block i: cut it off FILE": bytes appended meanwhile saved first; then the journal may move beside FILE. */
export async function cutBlock(c: BlockCtx): Promise<void> {
  const { offset } = c.block!;
  c.seen = await absorbThenCut(c, offset);
  blockDone(c);
  if (c.journal!.stash && roomBeside(c.facts.dir, c.m, c.m.blockSize)) c.journal = moveBeside(c.journal!, c.m, c.facts.dir, c.say);
}

export function blockDone(c: BlockCtx): void {
  const { index, offset, source, compressed } = c.block!;
  c.end = offset;
  c.say.detail(`block ${index}: ${bytes(source.size)} -> ${bytes(compressed.size)}, file now ${bytes(offset)}`);
}

const partsBytes = (m: JournalManifest) => m.parts.reduce((n, p) => n + p.compressedSize, 0);

/** Whether FILE's filesystem has room for the whole journal now: its bytes and its inodes (one per part). */
function roomBeside(dir: string, m: JournalManifest, blockSize: number): boolean {
  const st = fs.statfsSync(at(dir));
  const inodes = st.files === 0 || st.ffree >= JOURNAL_INODES + m.parts.length + 1;
  return inodes && st.bavail * st.bsize > partsBytes(m) + 2 * blockSize;
}

/** Moves the journal from the stash to beside FILE once truncation has made room there. */
function moveBeside(from: JournalPaths, m: JournalManifest, dir: string, say: Say): JournalPaths {
  const to = journalBeside(dir, m);
  createJournal(to);
  for (const part of m.parts) writePart(to, part.index, readFileBlocks(partPath(from, part.index)));
  writeJournal(to, m);
  removeJournal(from);
  say.detail(`journal moved from the stash to ${to.folder}`);
  return to;
}

