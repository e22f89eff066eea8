// Block mode's run: the job's ctx (its manifest, FILE, the logger) handed to the executor with block
// mode's list (src/strategies/blocks.ts), fresh or continued from a killed run's journal.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import type { BlockPlan } from '../plan/block-plan.js';
import { runningElsewhere, thisRun } from '../probe/live-run.js';
import { fsTypeOf, identityAt } from '../probe/identity.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { isHiddenName } from '../steps/hide-source.js';
import type { FileFacts } from '../probe/file.js';
import type { Logger } from '../report/logger.js';
import type { StepJson } from '../report/steps-taken.js';
import { closeJournal, type JournalManifest, type JournalPaths } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { tempPathFor } from '../steps/write-beside.js';
import { blockResumeSteps, type BlockAction, type BlockCtx, type BlocksLeft } from '../strategies/blocks.js';
import { openFile } from '../strategies/block-cuts.js';
import { remainingBytes } from '../strategies/block-ctx.js';
import { closeAll } from '../strategies/block-assembly.js';
import { secondLink, type Journaled } from './find-journal.js';
import { execute } from './executor.js';

export { remainingBytes };

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

/** What a block-mode job ends with: its manifest, and the .gz's name (the file's new one if logrotate renamed it). */
export interface BlocksDone {
  manifest: JournalManifest;
  output: string;
}

const blockCtx = (facts: FileFacts, m: JournalManifest, journal: JournalPaths | undefined, outputPath: string, log: Logger): BlockCtx => ({
  facts,
  m,
  journal,
  outputPath,
  say: log,
  hidden: facts.path,
  end: remainingBytes(m),
});

/**
 * Runs a block-mode list on its ctx; FILE and the temporary .gz are closed however it ends. FILE is opened
 * and proved the job's before the first step: a rename meanwhile (logrotate) moves a name, not the job.
 */
async function runBlocks(steps: readonly BlockAction[], ctx: BlockCtx, log: Logger, into: { steps?: StepJson[] }, hasFile = true): Promise<BlocksDone> {
  try {
    if (hasFile) openFile(ctx);
    await execute({ steps, ctx, log, into });
  } finally {
    closeAll(ctx);
  }
  return { manifest: ctx.m, output: ctx.gz?.output ?? ctx.outputPath };
}

/** A fresh job: its list is the one the plan printed (blockSteps), the journal made by its first steps. */
export function startBlocks(job: BlockJob, steps: readonly BlockAction[], into: { steps?: StepJson[] }): Promise<BlocksDone> {
  return runBlocks(steps, blockCtx(job.facts, newManifest(job), undefined, job.outputPath, job.log), job.log, into);
}

/** How far a killed job got, from its journal and FILE as they are: what --simulate shows and the rerun runs. */
export function blocksLeft({ journal, manifest: m }: Journaled, facts: FileFacts, outputPath: string): BlocksLeft {
  const stashFs = journal.stash ? probeFilesystem(journal.stash.dir) : undefined;
  const gone = facts.kind === 'missing';
  return {
    remaining: facts.kind === 'file' ? remainingBytes(m) : 0,
    blockSize: m.blockSize,
    parts: m.parts.length,
    assembled: m.assembledParts,
    compressedParts: m.parts.reduce((n, p) => n + p.compressedSize, 0),
    partsIn: !stashFs ? 'parts' : stashFs.ramBacked ? 'ram-stash' : 'stash',
    hidden: facts.kind !== 'file' || isHiddenName(facts.path),
    renamed: facts.kind !== 'file' || (m.assembledParts === m.parts.length && m.parts.length > 0 && !fs.existsSync(at(tempPathFor(outputPath)))),
    gone,
  };
}

/** Resumes an interrupted run from its journal: FILE's size says which blocks are left; into gets the steps taken. */
export async function resumeBlocks(found: Journaled, facts: FileFacts, outputPath: string, force: boolean, log: Logger, into: { steps?: StepJson[] } = {}): Promise<BlocksDone> {
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
  const left = blocksLeft(found, facts, outputPath);
  return runBlocks(blockResumeSteps(left), blockCtx(facts, m, found.journal, outputPath, log), log, into, !left.gone);
}
