// The one-block window: at 0 bytes free with no stash, the tail block is cut off first and its part
// written into the space that frees. Until the part is durable its bytes are only in memory: the steps
// are held against signals, and the cut's undo writes the block back.
import fs from 'node:fs';
import { bytes } from '../text/format.js';
import { removeJournal } from '../steps/journal.js';
import { writeChunks } from '../steps/write-chunks.js';
import { isNoRoom } from '../fs/no-room.js';
import { truncateTo, observe, type BlockCtx } from './block-ctx.js';
import { blockDone, hide } from './block-cuts.js';

/** Step "block tail: cut it off FILE" in the window: the block is in memory alone from here until its part is durable. */
export function cutFirst(c: BlockCtx): void {
  const { source, offset } = c.block!;
  c.say.warn(`one-block window: the last ${bytes(source.size)} are only in memory until their part is written`);
  truncateTo(c.fd!, offset);
}

/** Undo of the window's cut (also when the fsync after it failed): the block back into FILE, and the journal gone. */
export function writeBack(c: BlockCtx): void {
  const { source, offset } = c.block!;
  // Only a journal this run made: one that stopped "create the journal" (an earlier job's, left alone) is not ours to remove.
  const journal = c.journal;
  c.say.error(`could not write the first part of the one-block window; writing the block back`);
  try {
    writeChunks(c.fd!, source.blocks, offset);
  } catch (again) {
    if (!isNoRoom(again) || !journal) throw again;
    // The part took the room the block needs back: drop it and write again. Meanwhile the block is in
    // memory alone, as it has been all along in this window (signals are still held).
    removeJournal(journal);
    writeChunks(c.fd!, source.blocks, offset);
  }
  fs.fsyncSync(c.fd!);
  if (journal) removeJournal(journal);
  c.journal = undefined;
}

/** Step "hide" after the window's first part: the job has its journal now; FILE is off its name before the next cut. */
export async function hideAfterWindow(c: BlockCtx): Promise<void> {
  await hide(c);
  c.seen = { ...observe(c.fd!), size: c.block!.offset };
  blockDone(c);
}
