// Finds what an interrupted run left for this operand and either finishes the job or cleans it up.
// Never silent: every leftover found is reported with what was done about it. Leftovers are found by
// the operand's own identity (inode and birth time, or its .gz's) in the user's state folders, and acted
// on only when FILE proves the record its own (owner, filesystem, and the bytes the record's step says
// FILE holds); nothing in them names a path, so a planted manifest can at most be reported and ignored.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { findHolders } from '../probe/holders.js';
import { namesItself, readHead } from '../probe/rewritten-head.js';
import type { Logger } from '../report/logger.js';
import { at } from '../fs/pinned-folders.js';
import { checksumFile } from '../steps/checksum-file.js';
import { contentFrom, dropTruncateRecord, readTruncateRecord } from '../steps/truncate-record.js';
import { isNoRoom } from '../fs/no-room.js';
import { removeStash, type FoundStash, type StashManifest } from '../steps/stash.js';
import { identityAt, identityOf, sameIdentity, type Identity } from '../probe/identity.js';
import { hasBesideNote } from '../steps/beside-note.js';
import { testGzip } from '../steps/test-gzip.js';
import { verifyContent } from '../steps/verify-content.js';
import { tempPathFor } from '../steps/write-beside.js';
import { fsyncDir } from '../steps/write-chunks.js';
import { resumeBlocks } from './block-mode.js';
import { findUnfinished } from './unfinished-jobs.js';
import { stashResume } from './preview-unfinished.js';
import { besideFinishSteps } from '../strategies/beside-finish.js';
import { stashFinishSteps, type StashFinish } from '../strategies/stash-finish.js';
import { execute } from './executor.js';
import type { StepJson } from '../report/steps-taken.js';
import { shellQuote } from '../text/shell-quote.js';

export interface Recovered {
  output: string;
  originalBytes: number;
  compressedBytes: number;
  /** The steps the rerun took, against those --simulate showed for it. */
  steps?: StepJson[];
}

function removeStaleTemp(facts: FileFacts, outputPath: string, log: Logger): void {
  const temp = tempPathFor(outputPath);
  const st = fs.lstatSync(at(temp), { throwIfNoEntry: false });
  if (!st) return;
  const writers = st.isFile() ? findHolders(st.dev, st.ino, '/proc', temp).holders : [];
  if (writers.length > 0)
    throw new CmemError(
      'HELD_OPEN',
      `${temp} is being written by PID ${writers.map((h) => h.pid).join(', ')} (another cmemgzip at work on ${facts.path}); left alone`,
      'wait for that run to finish, then run cmemgzip again if anything is left',
    );
  if (facts.kind === 'file') {
    fs.rmSync(at(temp), { force: true });
    log.warn(`removed ${temp}, an unfinished temporary of an interrupted run (${facts.path} was never touched)`);
  } else log.warn(`found ${temp} from an interrupted run, but ${facts.path} is missing: left in place for you to inspect`);
}

/** Whether a file beside the operand is one a run of ours made for it: the operand's owner, a single link. */
export const ownedLike = (st: fs.Stats, facts: Pick<FileFacts, 'uid'>) => st.nlink === 1 && st.uid === facts.uid;

/**
 * FILE beside a .gz that already holds exactly its bytes: what a run stopped between the rename and the
 * unlink leaves (a kill, or a folder fsync that failed). Finishing means removing FILE, as the run would
 * have; only when our note shows the job was ours (a .gz that gzip -k made is not ours to finish).
 */
export async function finishedBeside(facts: FileFacts, outputPath: string, log: Logger, dryRun = false): Promise<Recovered | undefined> {
  const out = fs.lstatSync(at(outputPath), { throwIfNoEntry: false });
  // Only a .gz such as a run of ours leaves (FILE's owner, one link): never one another user planted.
  if (facts.kind !== 'file' || !out?.isFile() || out.size < 20 || !ownedLike(out, facts) || !hasBesideNote(facts)) return undefined;
  let content;
  try {
    content = await testGzip(outputPath);
  } catch {
    return undefined; // not a whole .gz: the refusal that follows says so
  }
  if (content.size !== facts.size || checksumFile(facts.path).crc !== content.crc) return undefined;
  log.warn(`${outputPath} already holds exactly the ${facts.size} bytes of ${facts.path} (an earlier run stopped before removing it); ${dryRun ? 'a rerun removes' : 'removing'} ${facts.path}`);
  const trace: { steps?: StepJson[] } = {};
  if (!dryRun) await execute({ steps: besideFinishSteps(), ctx: facts, log, into: trace });
  return { output: outputPath, originalBytes: facts.size, compressedBytes: out.size, steps: trace.steps };
}

/** Cuts the very inode the note names back to its earlier length, durably. */
function cutBack(file: string, id: Identity, length: number): void {
  const fd = fs.openSync(at(file), fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
  try {
    if (!sameIdentity(identityOf(fs.fstatSync(fd, { bigint: true })), id)) throw new CmemError('CHANGED', `${file} was replaced while it was looked at; left as it is`, 'run cmemgzip again');
    fs.ftruncateSync(fd, length);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * --copytruncate: the copy a run put under the .gz's name and then stopped before truncating, as its
 * note says, while FILE still begins with what the copy holds: every byte of it is in FILE, so the .gz is
 * cut back to what it was (removed when there was none) and the job starts afresh. Returns whether the
 * .gz is gone. Without the note the .gz is an archive, kept, whatever FILE holds.
 */
export async function dropStaleCopy(facts: FileFacts, outputPath: string, log: Logger, dryRun = false): Promise<boolean> {
  if (facts.kind !== 'file') return false;
  const record = readTruncateRecord(facts);
  if (!record) return false;
  const out = fs.lstatSync(at(outputPath), { throwIfNoEntry: false });
  const outId = identityAt(at(outputPath));
  // No .gz: the run that left the note was stopped before its rename, and FILE was never touched.
  const copy = out?.isFile() && ownedLike(out, facts) && sameIdentity(outId, record.gz) && out.size >= record.before ? await contentFrom(outputPath, record.before) : undefined;
  const stale = copy !== undefined && facts.size >= copy.size && checksumFile(facts.path, copy.size).crc === copy.crc;
  if (!dryRun) {
    if (stale && record.before === 0) fs.rmSync(at(outputPath));
    else if (stale) cutBack(outputPath, record.gz, record.before);
    if (stale) fsyncDir(path.dirname(outputPath));
    dropTruncateRecord(facts);
  }
  if (!stale) return false;
  const done = dryRun ? 'a real run first ' : '';
  log.warn(
    record.before === 0
      ? `${done}${dryRun ? 'removes' : 'removed'} ${outputPath}: a copy of the first ${copy.size} bytes of ${facts.path}, which still holds them (a run stopped before its truncation); starting afresh`
      : `${done}${dryRun ? 'cuts' : 'cut'} ${outputPath} back to its earlier ${record.before} bytes: past them was a copy of the first ${copy.size} bytes of ${facts.path}, which still holds them (a run stopped before its truncation); starting afresh`,
  );
  return record.before === 0;
}

/**
 * FILE already holds gzip data naming FILE, and no stash or journal is left: a rewrite in place whose
 * safety copy was in RAM, cut off by a reboot. Explained, never compressed a second time (unless -f).
 */
export async function refuseRewrittenHead(facts: FileFacts, outputPath: string): Promise<void> {
  if (facts.kind !== 'file' || !namesItself(readHead(facts.path), facts.base)) return;
  const whole = await testGzip(facts.path).then(
    (c) => c,
    () => undefined,
  );
  if (whole)
    throw new CmemError(
      'UNFINISHED',
      `${facts.path} already is a complete .gz of itself (${whole.size} bytes of content): a run rewrote it in place and was stopped before its rename, and its safety copy is gone (it was in RAM, or removed); nothing was touched`,
      `finish by hand: gzip -t ${shellQuote(facts.path)} && mv ${shellQuote(facts.path)} ${shellQuote(outputPath)}`,
    );
  throw new CmemError(
    'UNFINISHED',
    `${facts.path} begins with a .gz of itself that does not decompress whole: a run was stopped while rewriting it in place and its safety copy is gone (it was in RAM); nothing was touched`,
    `keep the file as it is; on another disk, zcat ${shellQuote(facts.path)} > HEAD recovers its beginning (gzip will say "unexpected end of file"), and the rest of the original is the file's tail past the compressed bytes; -f compresses it as it is`,
  );
}

/** The stash's job as its steps will see it: FILE by the record's identity, at the device number it has now (a remount changes it). */
export function stashFinishJob(found: FoundStash, m: StashManifest, facts: FileFacts, outputPath: string, log: Logger): StashFinish {
  const now = fs.lstatSync(at(facts.path), { throwIfNoEntry: false });
  const target = { path: facts.path, dir: facts.dir, dev: now?.dev ?? m.dev, ino: m.ino, birth: m.birth, uid: m.uid, gid: m.gid, mode: m.mode, atimeMs: m.atimeMs, mtimeMs: m.mtimeMs, size: m.size };
  const expected = { size: m.size, crc: m.crc };
  const c: StashFinish = { found, m, facts, blocks: [], target, chunks: () => c.blocks, length: m.compressedSize, sizes: [m.size, m.compressedSize], verify: (f) => verifyContent(f, expected), outputPath, say: log, cut: false, output: outputPath };
  return c;
}

/** Finishes a job whose FILE may hold part of the .gz: the stash has it all. */
export async function finishFromStash(found: FoundStash, m: StashManifest, facts: FileFacts, outputPath: string, log: Logger): Promise<Recovered> {
  const plan = stashResume(found, m, facts, outputPath);
  const ctx = stashFinishJob(found, m, facts, outputPath, log);
  const trace: { steps?: StepJson[] } = {};
  try {
    await execute({ steps: plan.steps, ctx, log, into: trace });
  } catch (err) {
    // Overwriting needed new blocks (holes in FILE, or copy-on-write): the checked copy makes FILE's own bytes unneeded.
    if (plan.where !== 'file' || !isNoRoom(err) || ctx.cut) throw err;
    log.warn(`rewriting ${facts.path} in place ran out of room (it has holes, or its filesystem copies on write); removing it and writing ${outputPath} from the stash`);
    const tried = trace.steps!;
    const instead = stashFinishSteps(plan.ram.fs.ramBacked, 'instead', m.compressedSize);
    await execute({ steps: instead, ctx, log, done: [{ name: tried[0].name, ms: tried[0].ms ?? 0 }], into: trace });
    trace.steps = [...tried, ...trace.steps!.slice(1)];
  }
  return { output: outputPath, originalBytes: m.size, compressedBytes: m.compressedSize, steps: trace.steps };
}

/** A run stopped between giving FILE's inode its hidden name and taking FILE's away left both: FILE's goes now. */
function dropSecondName(facts: FileFacts, source: FileFacts): FileFacts {
  if (facts.kind !== 'file' || !sameIdentity(facts, source) || source.nlink !== 2) return source;
  fs.unlinkSync(at(facts.path));
  fsyncDir(facts.dir);
  return { ...source, nlink: 1 };
}

/**
 * Handles leftovers for facts (temporaries beside the output, stashes in stashDirs).
 * Returns what was finished from a stash, or undefined when a fresh run should go on.
 */
export async function recover(
  facts: FileFacts,
  outputPath: string,
  stashDirs: readonly string[],
  force: boolean,
  log: Logger,
): Promise<Recovered | undefined> {
  const unfinished = findUnfinished(facts, outputPath, stashDirs, force, log, false);
  if (unfinished.journal) {
    // The rerun runs the list --simulate shows for it (block mode builds it from the journal), and reports its steps.
    const trace: { steps?: StepJson[] } = {};
    const source = unfinished.source && dropSecondName(facts, unfinished.source);
    const { manifest: m, output } = await resumeBlocks(unfinished.journal, source ?? facts, outputPath, force, log, trace);
    if (unfinished.source && facts.kind === 'file' && !sameIdentity(facts, unfinished.source)) log.warn(`${facts.path} is a new file, begun by a writer after block mode moved the old one off its name; left as it is`);
    return { output, originalBytes: m.size, compressedBytes: m.assembledBytes, steps: trace.steps };
  }
  let recovered: Recovered | undefined;
  for (const d of unfinished.stashes) {
    if (d.act !== 'finish') {
      if (d.act === 'drop') removeStash(d.found.paths);
      log.warn(d.why);
    } else {
      log.warn(`found the stash of an interrupted run: ${d.found.paths.manifest} (started ${d.m.createdAt} by PID ${d.m.pid})`);
      recovered = await finishFromStash(d.found, d.m, facts, outputPath, log);
    }
  }
  // After the stashes: a temporary that a stash supersedes is handled there.
  if (!recovered) removeStaleTemp(facts, outputPath, log);
  return recovered;
}
