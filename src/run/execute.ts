// Carries out a Plan: writes the .gz by the chosen strategy, verifies it, and frees the original.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, toCmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import type { Plan } from '../plan/plan.js';
import type { Logger } from '../report/logger.js';
import { bytes } from '../text/format.js';
import { chunksOf, type Compressed } from '../steps/compress.js';
import { assertUnchanged, freeOriginal } from '../steps/free-original.js';
import { removeCaughtUp } from '../steps/remove-caught-up.js';
import type { SourceData } from '../steps/read-blocks.js';
import { assertLength, putBack, rewriteInPlace } from '../steps/rewrite-in-place.js';
import { newStashManifest, removeStash, setStashPhase, stashPaths, writeStash } from '../steps/stash.js';
import { verifyWritten } from '../steps/verify.js';
import { isQuota, quotaExceeded } from '../fs/no-room.js';
import { NotDurable, writeBesideWith } from '../steps/write-beside.js';
import { fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { critical, onInterrupt, removeOnInterrupt } from './signals.js';
import { at } from '../fs/pinned-folders.js';
import { STEP } from '../steps/step-names.js';
import { reached } from '../steps/reached.js';
import { fsTypeOf, identityOf, type Identity } from '../probe/identity.js';
import { currentName } from '../probe/renamed.js';
import { shellQuote } from '../text/shell-quote.js';
import { dropBesideNote, withBesideNote } from '../steps/beside-note.js';

export interface Job {
  facts: FileFacts;
  /** Compression level, for the members that catch up with bytes appended meanwhile. */
  level: number;
  source: SourceData;
  compressed: Compressed;
  plan: Plan;
  keep: boolean;
  log: Logger;
}

/** A failure that leaves a stash behind: names it and the command that finishes the job. */
export class LeftBehind extends CmemError {
  constructor(cause: CmemError, readonly leftovers: { path: string; command: string; ram?: boolean }[]) {
    super(cause.code, cause.message, cause.hint);
  }
}

/** writeBeside with the temporary removed on an interrupt; before(fd) runs once it exists, before any byte is written. */
function writeBesideTracked(job: Job, verify: (f: string) => Promise<void>, before: (fd: number) => void = () => {}): Promise<void> {
  let release: (() => void) | undefined;
  const fill = (fd: number) => {
    before(fd);
    reached(STEP.writeTemp);
    writeChunks(fd, chunksOf(job.compressed));
  };
  return writeBesideWith(job.plan.outputPath, fill, job.facts, verify, (temp) => {
    release?.();
    release = temp ? removeOnInterrupt(temp) : undefined;
  });
}

async function beside(job: Job): Promise<string> {
  const { facts, log } = job;
  log.info(`writing ${job.plan.outputPath} (temporary first, mode 0600, fsync)`);
  const write = () =>
    writeBesideTracked(job, async (f) => {
      await verifyWritten(f, job.compressed, job.source);
      // Checked before the rename too: a FILE written to meanwhile must not end up beside a stale FILE.gz.
      if (!job.keep) assertUnchanged(facts);
    });
  await (job.keep ? write() : withBesideNote(facts, write));
  log.info(`verified ${job.plan.outputPath}: it decompresses to the ${bytes(job.source.size)} that were read`);
  if (job.keep) return job.plan.outputPath;
  reached(STEP.removeFile);
  const caught = await critical(() => removeCaughtUp(facts, job.plan.outputPath, job.level));
  dropBesideNote(facts);
  if (caught > 0) log.warn(`${facts.path} grew by ${bytes(caught)} after it was read (a writer appends to it): appended to ${job.plan.outputPath} as a further gzip member first`);
  log.info(`removed ${facts.path}`);
  return job.plan.outputPath;
}

/** Makes the rename of the rewritten FILE to its .gz name durable in both folders. */
function fsyncRenamed(from: string, to: string): void {
  fsyncDir(path.dirname(to));
  if (path.dirname(from) !== path.dirname(to)) fsyncDir(path.dirname(from));
}

/** How far a rewrite got: what a failure may undo (nothing once FILE is renamed: the .gz is complete). */
interface Progress {
  cut: boolean;
  renamed: boolean;
}

/** Told the new .gz's identity on a copy-on-write filesystem, before FILE is unlinked (the stash records it). */
type OnOutput = (id: Identity) => void;

/** The name the rewritten inode has now: FILE's, or the one logrotate gave it in its folder. */
function whereRewritten(facts: FileFacts): string {
  const now = currentName(facts.path, facts);
  if (now) return now;
  throw new CmemError('CHANGED', `${facts.path} was moved out of its folder or removed while it was rewritten in place; it holds the whole .gz`, `find it (its inode is ${facts.ino}), check it with gzip -t, and name it NAME.gz`);
}

/** The rewrite (or unlink and write); the .gz's name at the end, which follows a rename of FILE meanwhile. */
async function overwrite(job: Job, progress: Progress, onOutput: OnOutput = () => {}): Promise<string> {
  const { facts, compressed, plan, log } = job;
  if (plan.method === 'unlink') {
    const removed = () =>
      log.info(`removed ${facts.path}: its blocks are freed before the .gz is written (overwriting would need new blocks, on a copy-on-write filesystem or for the file's holes)`);
    let unlinked = false;
    // The temporary exists, and is on record, before FILE goes: a rerun finds the job by it.
    const unlinkFirst = (fd: number) => {
      onOutput(identityOf(fs.fstatSync(fd, { bigint: true })));
      reached(STEP.removeFile);
      freeOriginal(facts);
      unlinked = true;
      removed();
    };
    const verify = (f: string) => verifyWritten(f, compressed, job.source);
    const judged = (err: unknown) => {
      if (err instanceof NotDurable) progress.renamed = true;
      throw err;
    };
    try {
      await writeBesideTracked(job, verify, unlinkFirst);
    } catch (err) {
      // At a full quota (a btrfs qgroup) not even an empty file can be created, but an unlink is allowed:
      // FILE goes first, its bytes then held by the stash or, in the in-place window, by memory alone.
      if (unlinked || !isQuota(err)) return judged(err);
      log.warn(`${quotaExceeded()}: not even the temporary .gz can be created; removing ${facts.path} first, then writing it`);
      reached(STEP.removeFile);
      freeOriginal(facts);
      removed();
      await writeBesideTracked(job, verify, (fd) => onOutput(identityOf(fs.fstatSync(fd, { bigint: true })))).catch(judged);
    }
    return plan.outputPath;
  }
  rewriteInPlace(facts, chunksOf(compressed), compressed.size, { sizes: [facts.size], original: job.source.blocks, progress });
  log.info(`rewrote ${facts.path} in place with the compressed bytes and cut it to ${bytes(compressed.size)}`);
  reached(STEP.verify);
  // logrotate may have renamed FILE meanwhile: the rewritten inode is checked and renamed where it is now.
  let now = whereRewritten(facts);
  await verifyWritten(now, compressed, job.source);
  log.info(`verified the rewritten file against the original bytes`);
  reached(STEP.rename);
  now = whereRewritten(facts);
  const output = now === facts.path || !plan.outputPath.startsWith(facts.path) ? plan.outputPath : now + plan.outputPath.slice(facts.path.length);
  if (now !== facts.path) log.warn(`${facts.path} was renamed to ${now} while it was rewritten (logrotate, say): finishing it as ${output}`);
  // Right before the rename, nothing in between: an append after the cut would end up as trailing garbage.
  assertLength(now, compressed.size);
  fs.renameSync(at(now), at(output));
  progress.renamed = true;
  reached(STEP.fsyncFolder);
  fsyncRenamed(now, output);
  log.info(`renamed it to ${output}`);
  return output;
}

async function stashThenOverwrite(job: Job): Promise<string> {
  const { facts, compressed, plan, log } = job;
  const stash = plan.stash!;
  const paths = stashPaths(stash.dir, facts);
  let manifest = newStashManifest(facts, { fsType: fsTypeOf(facts.dir), name: facts.path }, job.source, compressed.size);

  const release = onInterrupt(() => removeStash(paths));
  log.info(`writing the stash copy ${paths.data} on ${stash.fs.mountPoint} (${stash.fs.type})`);
  reached(STEP.writeStash);
  await writeStash(paths, manifest, chunksOf(compressed), (f) => verifyWritten(f, compressed, job.source));
  log.info(`stash copy verified and durable; manifest ${paths.manifest}`);
  let output = plan.outputPath;
  await critical(async () => {
    release();
    try {
      assertUnchanged(facts);
    } catch (err) {
      removeStash(paths);
      throw err;
    }
    const progress = { cut: false, renamed: false };
    try {
      manifest = setStashPhase(paths, manifest, 'rewriting');
      output = await overwrite(job, progress, (id) => (manifest = setStashPhase(paths, { ...manifest, output: id }, 'rewriting')));
    } catch (err) {
      const cause = toCmemError(err, facts.path);
      // A stash outside the default places is only found again when named.
      const resume = `cmemgzip --resume${stash.explicit ? ` --stash ${shellQuote(stash.dir)}` : ''} ${shellQuote(facts.path)}`;
      const ram = stash.fs.ramBacked;
      const kept = new LeftBehind(cause, [
        { path: paths.data, command: resume, ram },
        { path: paths.manifest, command: resume, ram },
      ]);
      // Renamed: the .gz is whole and verified; the stash stays until a rerun has seen it in place.
      if (progress.renamed) throw kept;
      // The original is still in memory: put it back and drop the stash; keep the stash only if that fails.
      try {
        putBack(facts, job.source.blocks, compressed.size, progress.cut);
      } catch {
        throw kept;
      }
      removeStash(paths);
      log.info(`${facts.path} holds its original ${bytes(job.source.size)} again; the stash copy was removed`);
      throw cause;
    }
    // Still inside the window: a signal held during the rewrite must not stop the run before the stash is gone.
    reached(STEP.removeStash);
    removeStash(paths);
    log.info(`removed the stash copy`);
  });
  return output;
}

async function inPlace(job: Job): Promise<string> {
  const { facts, source, log } = job;
  log.warn('entering the in-place window: until it closes the only full copy of the data is in memory; signals are held');
  let output = job.plan.outputPath;
  await critical(async () => {
    assertUnchanged(facts);
    const progress = { cut: false, renamed: false };
    try {
      output = await overwrite(job, progress);
    } catch (err) {
      // Renamed: the .gz is whole and verified under its name; writing the original back would only make a second copy.
      if (progress.renamed) throw err;
      log.error(`rewrite failed (${(err as Error).message}); writing the original bytes back`);
      putBack(facts, source.blocks, job.compressed.size, progress.cut);
      log.info(`${facts.path} holds its original ${bytes(source.size)} again`);
      throw err;
    }
  });
  log.info('in-place window closed');
  return output;
}

/** Runs the plan's strategy; the .gz's name at the end (FILE's new one's, if logrotate renamed it meanwhile). */
export async function execute(job: Job): Promise<string> {
  if (job.plan.strategy === 'beside') return beside(job);
  if (job.plan.strategy === 'stash') return stashThenOverwrite(job);
  return inPlace(job);
}
