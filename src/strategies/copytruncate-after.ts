// --copytruncate's truncation and what follows it: FILE cut to 0 through our own descriptor, the cut made
// durable, then the .gz in place with FILE's metadata and verified; from a stash, written (or appended
// to the earlier archive) now that the truncation freed the room, and the stash removed.
import fs from 'node:fs';
import { at } from '../fs/pinned-folders.js';
import { appendedContent, appendInPlace, appendTarget } from '../steps/append-archive.js';
import { readFileBlocks } from '../steps/read-blocks.js';
import { restoreMetadata } from '../steps/restore-metadata.js';
import { removeStash } from '../steps/stash.js';
import { truncateHeld } from '../steps/truncate-held.js';
import { dropTruncateRecord } from '../steps/truncate-record.js';
import { verifyContent } from '../steps/verify-content.js';
import { writeChunks } from '../steps/write-chunks.js';
import { bytes } from '../text/format.js';
import type { Copy } from '../plan/steps.js';
import type { Action } from './action.js';
import { copied, metaAtCut, type Code, type TruncateCtx } from './copytruncate-ctx.js';
import { tempActions } from './temp-steps.js';

/** Refused if FILE is not the one copied or holds less than was copied; the commit: from here the copy is all there is. */
export const truncate: Code = {
  run: (c) => {
    const p = c.progress!;
    c.before = truncateHeld(c.writeFd, c.name, c.facts, p.size);
    // Past the truncation the note has served (a rerun that still found it would see FILE no longer begins with the copy).
    dropTruncateRecord(c.facts);
    c.say.info(`truncated ${c.name} to 0 bytes in place (inode ${c.facts.ino}, owner and mode unchanged); the writer keeps its descriptor`);
    c.say.info(`caught ${bytes(p.size - c.first.size)} written after the first read, in ${p.rounds} more gzip member(s)`);
  },
};

export const fsyncFile: Code = {
  run: (c) => {
    try {
      fs.fsyncSync(c.writeFd);
    } catch (err) {
      // The copy is whole either way; only the cut's durability is in doubt, and undoing it would lose nothing less.
      c.say.warn(`could not fsync ${c.name} after the truncation (${(err as NodeJS.ErrnoException).code}): after a power cut it may come back at its old length; the .gz holds every byte`);
    }
  },
};

/** Beside: the .gz already has its name; it gets FILE's metadata and is verified against all that was copied. */
export const verifyBeside: Code = {
  run: async (c) => {
    const fd = fs.openSync(at(c.outputPath), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    try {
      restoreMetadata(fd, metaAtCut(c));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    await verifyContent(c.outputPath, c.archive ? appendedContent(c.archive.content, copied(c)) : copied(c));
    c.gzWritten = true;
  },
};

/** From the stash onto the earlier archive, past the length the manifest records; a failure cuts it back there. */
export const appendStash: Code = {
  run: async (c) => {
    await appendInPlace(c.outputPath, appendTarget(c.archive!), readFileBlocks(c.stash!.paths.data), copied(c), metaAtCut(c));
    c.gzWritten = true;
  },
};

/** From the stash into the temporary beside the output, now that the room is free: the temporary's shared steps; the stash stays until the .gz is durable. */
export function gzFromStash(before: readonly Copy[], after: readonly Copy[], size: number): Action<TruncateCtx>[] {
  const steps = tempActions<TruncateCtx>(before, after, size, {
    outputPath: (c) => c.outputPath,
    fill: (c, fd) => void writeChunks(fd, readFileBlocks(c.stash!.paths.data)),
    verify: (c, file) => verifyContent(file, copied(c)),
    metadata: metaAtCut,
  });
  const folder = steps[4];
  // Only once its name is durable is the .gz more than the stash: until then a failure leaves the stash for --resume.
  steps[4] = {
    ...folder,
    run: async (c) => {
      await folder.run!(c);
      c.gzWritten = true;
    },
  };
  return steps;
}

export const removeStashAfter: Code = {
  run: (c) => {
    removeStash(c.stash!.paths);
    c.say.info(`wrote ${c.outputPath} from the stash now that the space is free; removed the stash`);
  },
};
