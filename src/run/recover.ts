// Finds what an interrupted run left for this operand and either finishes the job or cleans it up.
// Never silent: every leftover found is reported with what was done about it.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { DEFAULT_STASH_DIRS } from '../probe/stash.js';
import type { Logger } from '../report/logger.js';
import { readFileBlocks } from '../steps/read-blocks.js';
import { rewriteInPlace } from '../steps/rewrite-in-place.js';
import { findStashes, removeStash, type FoundStash, type StashManifest } from '../steps/stash.js';
import { verifyContent } from '../steps/verify-content.js';
import { tempPathFor, writeBeside } from '../steps/write-beside.js';
import { fsyncDir } from '../steps/write-chunks.js';
import { exists } from './output-path.js';
import { findJournal, resumeBlocks } from './block-mode.js';
import { runningElsewhere } from '../probe/live-run.js';
import { critical } from './signals.js';
import { pointedStashDirs, stashKey } from '../steps/stash-pointer.js';

export interface Recovered {
  output: string;
  originalBytes: number;
  compressedBytes: number;
}

function removeStaleTemp(facts: FileFacts, outputPath: string, log: Logger): void {
  const temp = tempPathFor(outputPath);
  if (!exists(temp)) return;
  if (facts.kind === 'file') {
    fs.rmSync(temp, { force: true });
    log.warn(`removed ${temp}, an unfinished temporary of an interrupted run (${facts.path} was never touched)`);
  } else log.warn(`found ${temp} from an interrupted run, but ${facts.path} is missing: left in place for you to inspect`);
}

const identity = (m: StashManifest) => ({ path: m.file, dir: path.dirname(m.file), dev: m.dev, ino: m.ino, uid: m.uid, gid: m.gid, mode: m.mode, atimeMs: m.atimeMs, mtimeMs: m.mtimeMs });

/** Finishes a job whose FILE may hold part of the .gz: the stash has it all. */
async function finishFromStash(found: FoundStash, m: StashManifest, log: Logger): Promise<Recovered> {
  const expected = { size: m.size, crc: m.crc };
  await verifyContent(found.paths.data, expected);
  log.info(`stash copy ${found.paths.data} is intact (${m.size} bytes of content); finishing the job`);
  const chunks = readFileBlocks(found.paths.data);
  await critical(async () => {
    const now = fs.lstatSync(m.file, { throwIfNoEntry: false });
    const out = fs.lstatSync(m.outputPath, { throwIfNoEntry: false });
    if (now && now.ino === m.ino && now.dev === m.dev && !m.copytruncate) {
      // Killed before or after the cut; any other size means someone wrote to it since: leave it.
      rewriteInPlace(identity(m), chunks, m.compressedSize, { sizes: [m.size, m.compressedSize] });
      await verifyContent(m.file, expected);
      fs.renameSync(m.file, m.outputPath);
      fsyncDir(path.dirname(m.outputPath));
    } else if (out && out.ino === m.ino && out.dev === m.dev) {
      await verifyContent(m.outputPath, expected);
    } else if (!now || m.copytruncate) {
      // A run that freed FILE before writing (copy-on-write) and was killed meanwhile left its temporary: the stash supersedes it.
      const temp = tempPathFor(m.outputPath);
      if (exists(temp)) {
        fs.rmSync(temp);
        log.warn(`removed ${temp}, the unfinished temporary of that run: the stash copy replaces it`);
      }
      await writeBeside(m.outputPath, chunks, identity(m), (f) => verifyContent(f, expected), () => {});
    } else {
      throw new CmemError('CHANGED', `${m.file} is now another file; the stash ${found.paths.data} is kept`, `compare them, then remove the stash by hand`);
    }
  });
  removeStash(found.paths);
  log.info(`finished from the stash: ${m.outputPath} verified, stash removed`);
  return { output: m.outputPath, originalBytes: m.size, compressedBytes: m.compressedSize };
}

/**
 * Handles leftovers for facts (temporaries beside the output, stashes in stashDirs).
 * Returns what was finished from a stash, or undefined when a fresh run should go on.
 */
export async function recover(
  facts: FileFacts,
  outputPath: string,
  stashDirs: readonly string[],
  log: Logger,
): Promise<Recovered | undefined> {
  const pointed = facts.kind === 'file' ? pointedStashDirs(stashKey(facts.dev, facts.ino)) : [];
  const allStashDirs = [...stashDirs, ...pointed, ...DEFAULT_STASH_DIRS];
  // Block mode first: its temporary .gz is being assembled, not left over.
  const journaled = findJournal(facts.path, facts.dev, facts.ino, allStashDirs);
  if (journaled) {
    const m = await resumeBlocks(journaled, facts, log);
    return { output: m.outputPath, originalBytes: m.size, compressedBytes: m.assembledBytes };
  }
  // A stash without a manifest is named after FILE's inode, or FILE.gz's when the run that renamed FILE
  // was killed while removing its stash; either way nothing depends on it.
  const out = fs.lstatSync(outputPath, { throwIfNoEntry: false });
  const names = [facts.kind === 'file' ? `/${facts.dev}-${facts.ino}.gz` : undefined, out ? `/${out.dev}-${out.ino}.gz` : undefined];
  const mine = findStashes(allStashDirs).filter((s) =>
    s.manifest ? s.manifest.file === facts.path : names.some((n) => n && s.paths.data.endsWith(n)),
  );
  let recovered: Recovered | undefined;
  for (const found of mine) {
    const m = found.manifest;
    // A stash that a live run is still writing or rewriting from is in use, not left over: taking it
    // over would have two processes rewrite and rename one file.
    if (m && runningElsewhere(m.pid))
      throw new CmemError(
        'HELD_OPEN',
        `${m.file} is being compressed by another cmemgzip (PID ${m.pid}); its stash ${found.paths.manifest} is in use`,
        `wait for PID ${m.pid} to finish; if it hangs, stop it, then run: cmemgzip --resume ${m.file}`,
      );
    if (!m) {
      removeStash(found.paths);
      log.warn(`removed ${found.paths.data}, a stash copy without a manifest left by an interrupted run (nothing depended on it)`);
    } else if (m.phase === 'stashed' && facts.kind === 'file' && facts.ino === m.ino && (facts.size === m.size || m.copytruncate)) {
      removeStash(found.paths);
      log.warn(`removed the stash ${found.paths.data} of an interrupted run: ${facts.path} was never touched, compressing it afresh`);
    } else if (m.phase === 'rewriting') {
      log.warn(`found the stash of an interrupted run: ${found.paths.manifest} (started ${m.createdAt} by PID ${m.pid})`);
      recovered = await finishFromStash(found, m, log);
    } else {
      log.warn(`found the stash ${found.paths.data}, which does not match ${facts.path} as it is now; left in place`);
    }
  }
  // After the stashes: a temporary that a stash supersedes is handled there.
  if (!recovered) removeStaleTemp(facts, outputPath, log);
  return recovered;
}
