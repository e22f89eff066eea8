// The rerun that finishes a stopped whole-file job from its safety copy: the copy is checked, then the
// .gz is made under its name from where the job left it (FILE rewritten in place, the .gz already there,
// an earlier archive to append to, or nothing), then the copy removed. The copy holds every byte until the
// .gz is verified under its name, so no step needs an undo: a failure leaves the job for the next rerun.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { at } from '../fs/pinned-folders.js';
import { stashPlace, step, type Copy } from '../plan/steps.js';
import type { FileFacts } from '../probe/file.js';
import { identityOf, sameIdentity } from '../probe/identity.js';
import { currentName } from '../probe/renamed.js';
import { appendInPlace, isAppendTarget } from '../steps/append-archive.js';
import { readFileBlocks } from '../steps/read-blocks.js';
import { removeStash, setStashPhase, type FoundStash, type StashManifest } from '../steps/stash.js';
import { STEP } from '../steps/step-names.js';
import { verifyContent } from '../steps/verify-content.js';
import { createTemp, dropTemp, tempPathFor } from '../steps/write-beside.js';
import { fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { shellQuote } from '../text/shell-quote.js';
import { act, type Action } from './action.js';
import { rewriteActions, type RewriteJob } from './rewrite-steps.js';
import { tempActions, type TempJob } from './temp-steps.js';

/**
 * Where the job's .gz is to come from: FILE rewritten in place, the .gz under its name, written anew, appended
 * to an earlier archive; or (when rewriting FILE ran out of room) FILE removed and the .gz written anew.
 */
export type StashedJobAt = 'file' | 'gz' | 'gone' | 'append' | 'instead';

export interface StashFinish extends RewriteJob, TempJob {
  found: FoundStash;
  m: StashManifest;
  facts: FileFacts;
  blocks: Buffer[];
}

const expected = (c: StashFinish) => ({ size: c.m.size, crc: c.m.crc });

function changedArchive(c: StashFinish): CmemError {
  return new CmemError('CHANGED', `${c.outputPath} exists and is not the archive the stash ${c.found.paths.data} was to be appended to; both are kept`, `move ${shellQuote(c.outputPath)} away, then run: cmemgzip --resume ${shellQuote(c.facts.path)}`);
}

/** A run that freed FILE before writing (copy-on-write), or a rerun that was removing it instead, killed meanwhile left its temporary: the copy supersedes it. */
function supersede(c: StashFinish): void {
  const temp = tempPathFor(c.outputPath);
  if (!fs.existsSync(at(temp))) return;
  fs.rmSync(at(temp));
  c.say.warn(`removed ${temp}, the unfinished temporary of that run: the stash copy replaces it`);
}

/** The .gz's temporary, written from the copy; before it, FILE must be gone (or emptied, for --copytruncate), never another file at its name. */
function writeAnew(safety: Copy, size: number, instead: boolean): Action<StashFinish>[] {
  const [write, ...rest] = tempActions<StashFinish>([safety], [safety, ['gz']], size, {
    outputPath: (c) => c.outputPath,
    fill: (c, fd) => void writeChunks(fd, c.blocks),
    verify: (c, file) => verifyContent(file, expected(c)),
    metadata: (c) => c.target,
  });
  const fresh = (c: StashFinish) => instead || supersede(c);
  const notAnother = (c: StashFinish) => {
    if (!instead && fs.existsSync(at(c.facts.path)) && !c.m.copytruncate)
      throw new CmemError('CHANGED', `${c.facts.path} is now another file; the stash ${c.found.paths.data} is kept`, `compare them, then remove the stash by hand`);
  };
  return [{ ...write, check: notAnother, run: (c) => (fresh(c), write.run!(c)) }, ...rest];
}

/**
 * Overwriting FILE needed new blocks (holes, or copy-on-write): the verified copy makes FILE's own bytes
 * unneeded. The temporary is on record before FILE goes, as a copy-on-write run does it.
 */
const removeInstead = (safety: Copy) =>
  act<StashFinish>(step(STEP.removeFile, [safety]), {
    run: (c) => {
      // The inode of record at the name it has now: the rewrite followed it there (logrotate may have renamed FILE
      // and its writer begun a new one, whose lines are not the job's to remove).
      const now = currentName(c.target.path, c.target);
      if (now === undefined)
        throw new CmemError('CHANGED', `${c.target.path} was moved out of its folder or removed meanwhile; the stash ${c.found.paths.data} is kept`, `run: cmemgzip --resume ${shellQuote(c.facts.path)}`);
      supersede(c);
      c.temp = createTemp(c.outputPath);
      setStashPhase(c.found.paths, { ...c.m, output: identityOf(fs.fstatSync(c.temp.fd!, { bigint: true })) }, 'rewriting');
      fs.unlinkSync(at(now));
      fsyncDir(c.target.dir);
    },
    // The temporary made here goes if FILE could not be removed: a later rerun's temporary is created O_EXCL.
    undo: (c) => c.temp && dropTemp(c.temp),
  });

function middle(where: StashedJobAt, safety: Copy, size: number): Action<StashFinish>[] {
  const verifyGz = act<StashFinish>(step(STEP.verify, [safety, ['gz']], size), {
    // A --copytruncate stopped after writing its .gz whole leaves one that holds what the copy does.
    run: (c) => verifyContent(c.outputPath, expected(c)).catch((err: unknown) => Promise.reject(c.m.copytruncate ? changedArchive(c) : err)),
  });
  if (where === 'gz') return [verifyGz];
  if (where === 'append')
    return [
      act(step(STEP.appendStash, [safety], size), {
        // A repeated --copytruncate's member goes onto the earlier archive, cut back first to the length on record.
        run: (c) => {
          const out = fs.lstatSync(at(c.outputPath), { bigint: true, throwIfNoEntry: false });
          if (!out || !isAppendTarget(c.m.appendTo) || !sameIdentity(identityOf(out), c.m.appendTo)) throw changedArchive(c);
          return appendInPlace(c.outputPath, c.m.appendTo, c.blocks, expected(c), c.target);
        },
      }),
    ];
  if (where === 'gone' || where === 'instead') return [...(where === 'instead' ? [removeInstead(safety)] : []), ...writeAnew(safety, size, where === 'instead')];
  // Killed before or after the cut: any other size means someone wrote to FILE since, and the rewrite refuses it.
  return rewriteActions<StashFinish>([safety], [safety, ['gz']], size);
}

export function stashFinishSteps(ramBacked: boolean, where: StashedJobAt, compressedSize: number): Action<StashFinish>[] {
  const safety: Copy = [stashPlace(ramBacked)];
  const check = act<StashFinish>(step(STEP.checkStash, [safety], compressedSize), {
    run: async (c) => {
      await verifyContent(c.found.paths.data, expected(c));
      c.say.info(`stash copy ${c.found.paths.data} is intact (${c.m.size} bytes of content); finishing the job`);
      c.blocks = readFileBlocks(c.found.paths.data);
    },
  });
  const unstash = act<StashFinish>(step(STEP.removeStash, [['gz']]), {
    run: (c) => {
      removeStash(c.found.paths);
      c.say.info(`finished from the stash: ${c.outputPath} verified, stash removed`);
    },
  });
  return [check, ...middle(where, safety, compressedSize).map((a) => ({ ...a, held: true })), unstash];
}
