// The in-place strategy on a copy-on-write filesystem (or for a file with holes): overwriting would need
// new blocks, so FILE is unlinked first and its .gz written to a temporary beside, from memory. The
// temporary exists, and is on record, before FILE goes: a rerun finds the job by it.
import fs from 'node:fs';
import { isQuota, quotaExceeded } from '../fs/no-room.js';
import { step, type Copy } from '../plan/steps.js';
import { identityOf } from '../probe/identity.js';
import { assertUnchanged, freeOriginal } from '../steps/free-original.js';
import { setStashPhase } from '../steps/stash.js';
import { STEP } from '../steps/step-names.js';
import { createTemp, dropTemp } from '../steps/write-beside.js';
import { writeChunks } from '../steps/write-chunks.js';
import { act, type Action } from './action.js';
import { tempActions } from './temp-steps.js';
import { putOriginalBack, type WholeJob } from './whole-job.js';

/** The new .gz's inode on record (the stash's manifest), before FILE goes; once. */
function recordOutput(c: WholeJob, fd: number): void {
  if (c.outputRecorded) return;
  c.outputRecorded = identityOf(fs.fstatSync(fd, { bigint: true }));
  if (c.stash) c.stash.manifest = setStashPhase(c.stash.paths, { ...c.stash.manifest, output: c.outputRecorded }, 'rewriting');
}

const removed = (c: WholeJob) =>
  c.say.info(`removed ${c.facts.path}: its blocks are freed before the .gz is written (overwriting would need new blocks, on a copy-on-write filesystem or for the file's holes)`);

export function unlinkFirstActions(held: readonly Copy[], done: readonly Copy[], size: number): Action<WholeJob>[] {
  const remove = act<WholeJob>(step(STEP.removeFile, held), {
    // FILE as read, before anything is made: a writer that emptied it and wrote anew meanwhile keeps what it wrote.
    check: (c) => assertUnchanged(c.facts),
    run: (c) => {
      try {
        c.temp = createTemp(c.outputPath);
        recordOutput(c, c.temp.fd!);
      } catch (err) {
        // At a full quota (a btrfs qgroup) not even an empty file can be created, but an unlink is allowed:
        // FILE goes first, its bytes then held by the stash or, in the in-place window, by memory alone.
        if (!isQuota(err)) throw err;
        c.say.warn(`${quotaExceeded()}: not even the temporary .gz can be created; removing ${c.facts.path} first, then writing it`);
      }
      freeOriginal(c.facts, () => (c.unlinked = true));
      removed(c);
    },
    // The original goes back only where this step removed it: a FILE it refused (changed since the read) is another's bytes, never written over.
    undo: (c) => {
      if (c.temp) dropTemp(c.temp);
      if (c.unlinked) putOriginalBack(c);
    },
  });
  const write = tempActions<WholeJob>(held, done, size, {
    outputPath: (c) => c.outputPath,
    fill: (c, fd) => {
      recordOutput(c, fd);
      writeChunks(fd, c.chunks());
    },
    verify: (c, file) => c.verify(file),
    metadata: (c) => c.facts,
  });
  return [remove, ...write].map((a) => ({ ...a, held: true }));
}
