// Carries out a Plan: writes the .gz by the chosen strategy, verifies it, and frees the original.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, toCmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import type { Plan } from '../plan/plan.js';
import type { Logger } from '../report/logger.js';
import { bytes } from '../report/format.js';
import { chunksOf, type Compressed } from '../steps/compress.js';
import { assertUnchanged, freeOriginal } from '../steps/free-original.js';
import type { SourceData } from '../steps/read-blocks.js';
import { assertLength, putBack, rewriteInPlace } from '../steps/rewrite-in-place.js';
import { removeStash, setStashPhase, stashPaths, writeStash, type StashManifest } from '../steps/stash.js';
import { verifyWritten } from '../steps/verify.js';
import { writeBeside } from '../steps/write-beside.js';
import { fsyncDir } from '../steps/write-chunks.js';
import { critical, onInterrupt, removeOnInterrupt } from './signals.js';

export interface Job {
  facts: FileFacts;
  source: SourceData;
  compressed: Compressed;
  plan: Plan;
  keep: boolean;
  log: Logger;
}

/** A failure that leaves a stash behind: names it and the command that finishes the job. */
export class LeftBehind extends CmemError {
  constructor(cause: CmemError, readonly leftovers: { path: string; command: string }[]) {
    super(cause.code, cause.message, cause.hint);
  }
}

function writeBesideTracked(job: Job, verify: (f: string) => Promise<void>): Promise<void> {
  let release: (() => void) | undefined;
  return writeBeside(job.plan.outputPath, chunksOf(job.compressed), job.facts, verify, (temp) => {
    release?.();
    release = temp ? removeOnInterrupt(temp) : undefined;
  });
}

async function beside(job: Job): Promise<void> {
  const { facts, log } = job;
  log.info(`writing ${job.plan.outputPath} (temporary first, mode 0600, fsync)`);
  await writeBesideTracked(job, async (f) => {
    await verifyWritten(f, job.compressed, job.source);
    // Checked before the rename too: a FILE written to meanwhile must not end up beside a stale FILE.gz.
    if (!job.keep) assertUnchanged(facts);
  });
  log.info(`verified ${job.plan.outputPath}: it decompresses to the ${bytes(job.source.size)} that were read`);
  if (job.keep) return;
  await critical(() => freeOriginal(facts));
  log.info(`removed ${facts.path}`);
}

/** Renames the rewritten FILE to its .gz name, durably in both folders. */
function renameToOutput(from: string, to: string): void {
  fs.renameSync(from, to);
  fsyncDir(path.dirname(to));
  if (path.dirname(from) !== path.dirname(to)) fsyncDir(path.dirname(from));
}

async function overwrite(job: Job): Promise<void> {
  const { facts, compressed, plan, log } = job;
  if (plan.method === 'unlink') {
    freeOriginal(facts);
    log.info(`removed ${facts.path} (copy-on-write filesystem: its blocks are freed before the .gz is written)`);
    await writeBesideTracked(job, (f) => verifyWritten(f, compressed, job.source));
    return;
  }
  rewriteInPlace(facts, chunksOf(compressed), compressed.size, { sizes: [facts.size], original: job.source.blocks });
  log.info(`rewrote ${facts.path} in place with the compressed bytes and cut it to ${bytes(compressed.size)}`);
  await verifyWritten(facts.path, compressed, job.source);
  log.info(`verified the rewritten file against the original bytes`);
  assertLength(facts.path, compressed.size);
  renameToOutput(facts.path, plan.outputPath);
  log.info(`renamed it to ${plan.outputPath}`);
}

async function stashThenOverwrite(job: Job): Promise<void> {
  const { facts, compressed, plan, log } = job;
  const stash = plan.stash!;
  const paths = stashPaths(stash.dir, facts.dev, facts.ino);
  let manifest: StashManifest = {
    version: 1,
    file: facts.path,
    outputPath: plan.outputPath,
    dev: facts.dev,
    ino: facts.ino,
    size: job.source.size,
    crc: job.source.crc,
    compressedSize: compressed.size,
    uid: facts.uid,
    gid: facts.gid,
    mode: facts.mode,
    atimeMs: facts.atimeMs,
    mtimeMs: facts.mtimeMs,
    phase: 'stashed',
    pid: process.pid,
    createdAt: new Date().toISOString(),
  };
  const release = onInterrupt(() => removeStash(paths));
  log.info(`writing the stash copy ${paths.data} on ${stash.fs.mountPoint} (${stash.fs.type})`);
  await writeStash(paths, manifest, chunksOf(compressed), (f) => verifyWritten(f, compressed, job.source));
  log.info(`stash copy verified and durable; manifest ${paths.manifest}`);
  await critical(async () => {
    release();
    try {
      assertUnchanged(facts);
    } catch (err) {
      removeStash(paths);
      throw err;
    }
    try {
      manifest = setStashPhase(paths, manifest, 'rewriting');
      await overwrite(job);
    } catch (err) {
      const cause = toCmemError(err, facts.path);
      // The original is still in memory: put it back and drop the stash; keep the stash only if that fails.
      try {
        putBack(facts, job.source.blocks, compressed.size);
      } catch {
        // A stash outside the default places is only found again when named.
        const resume = `cmemgzip --resume${stash.explicit ? ` --stash ${shellQuote(stash.dir)}` : ''} ${shellQuote(facts.path)}`;
        throw new LeftBehind(cause, [
          { path: paths.data, command: resume },
          { path: paths.manifest, command: resume },
        ]);
      }
      removeStash(paths);
      log.info(`${facts.path} holds its original ${bytes(job.source.size)} again; the stash copy was removed`);
      throw cause;
    }
    // Still inside the window: a signal held during the rewrite must not stop the run before the stash is gone.
    removeStash(paths);
    log.info(`removed the stash copy`);
  });
}

async function inPlace(job: Job): Promise<void> {
  const { facts, source, log } = job;
  log.warn('entering the in-place window: until it closes the only full copy of the data is in memory; signals are held');
  await critical(async () => {
    assertUnchanged(facts);
    try {
      await overwrite(job);
    } catch (err) {
      log.error(`rewrite failed (${(err as Error).message}); writing the original bytes back`);
      putBack(facts, source.blocks, job.compressed.size);
      log.info(`${facts.path} holds its original ${bytes(source.size)} again`);
      throw err;
    }
  });
  log.info('in-place window closed');
}

export async function execute(job: Job): Promise<void> {
  if (job.plan.strategy === 'beside') return beside(job);
  if (job.plan.strategy === 'stash') return stashThenOverwrite(job);
  return inPlace(job);
}

export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
