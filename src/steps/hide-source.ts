// Takes block mode's file off its name before the first cut. A writer that opens FILE by name, appends and
// closes (a `>>`, a logger holding no descriptor) could land a line between the last look at FILE's size
// and a cut, and the cut would take it: measured, 1.6% of such a writer's lines. Once the inode is at
// .FILE.cmemgzip-source, a writer's next open makes a new FILE, and the cuts reach only bytes this run saw.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { findHolders } from '../probe/holders.js';
import { fsTypeOf, identityAt, sameIdentity, type Identity } from '../probe/identity.js';
import { withinNameMax } from './name-max.js';
import { at } from '../fs/pinned-folders.js';

const SUFFIX = '.cmemgzip-source';
const FUSE_SUPER_MAGIC = 0x65735546;

/** Where FILE's inode waits while block mode cuts it: beside FILE, named after it, so a rerun finds it with one lstat. */
export const hiddenName = (file: string) => path.join(path.dirname(file), withinNameMax('.', path.basename(file), SUFFIX));

export const isHiddenName = (file: string) => path.basename(file).startsWith('.') && path.basename(file).endsWith(SUFFIX);

/** The FILE a hidden name stands for, when the name says it whole (one shortened past NAME_MAX ends in ~ and a hash, and does not). */
export function hiddenFor(hidden: string): string | undefined {
  const file = path.join(path.dirname(hidden), path.basename(hidden).slice(1, -SUFFIX.length));
  return isHiddenName(hidden) && hiddenName(file) === hidden && !/~[0-9a-f]{16}$/.test(file) ? file : undefined;
}

/** A descriptor opened before the name moved still reaches the inode: such writers must be done before any cut. */
const OPENER_WAIT_MS = 2000;

function othersHolding(dev: number, ino: number): number[] {
  return findHolders(dev, ino).holders.filter((h) => h.pid !== process.pid).map((h) => h.pid);
}

/** Gives FILE's name back (only where no new FILE took it) and says why the job cannot go on. */
function giveBack(file: string, hidden: string, pids: number[]): CmemError {
  try {
    fs.linkSync(at(hidden), at(file));
    fs.unlinkSync(at(hidden));
  } catch {
    return new CmemError('HELD_OPEN', `${file} is held open by PID ${pids.join(', ')} since block mode began; its content waits at ${hidden}, and a new ${file} took the name`, `when PID ${pids.join(', ')} is done, run: cmemgzip --resume ${file}`);
  }
  return new CmemError('HELD_OPEN', `${file} is held open by PID ${pids.join(', ')} since block mode began: a writer holding it would lose lines at each cut; nothing was cut`, `use --copytruncate, or run cmemgzip again once PID ${pids.join(', ')} is done`);
}

/**
 * Moves the inode with this identity from FILE's name to its hidden name, no-replace (link, then unlink),
 * and waits out writers that opened it before. Returns where the inode is now: FILE itself where a hard
 * link cannot be made (no room in the folder, a filesystem without links), or where FILE no longer names it.
 */
export async function hideSource(file: string, id: Identity & { dev: number }, onNotHidden: (why: string) => void): Promise<string> {
  const hidden = hiddenName(file);
  // A FUSE daemon may know files by name alone: one open under no name can no longer be reached through its descriptor.
  if (fsTypeOf(path.dirname(file)) === FUSE_SUPER_MAGIC) {
    onNotHidden(`${file} stays under its name on this FUSE filesystem: a writer that opens it by name could lose a line at a cut`);
    return file;
  }
  try {
    fs.linkSync(at(file), at(hidden));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' || !sameIdentity(identityAt(at(hidden)), id)) {
      onNotHidden(`${file} stays under its name (${code} making ${hidden}): a writer that opens it by name could lose a line at a cut`);
      return file;
    }
    // A run killed between the link and the unlink left both names.
  }
  try {
    // Another file than ours was linked (FILE swapped meanwhile): ours is not under FILE's name, so no writer reaches it by name.
    if (!sameIdentity(identityAt(at(hidden)), id)) {
      fs.unlinkSync(at(hidden));
      return file;
    }
    if (sameIdentity(identityAt(at(file)), id)) fs.unlinkSync(at(file));
  } catch (err) {
    // Two names and, if this run stops now, no journal that proves the second: the link is undone.
    if (sameIdentity(identityAt(at(file)), id)) fs.unlinkSync(at(hidden));
    onNotHidden(`${file} stays under its name (${(err as NodeJS.ErrnoException).code} taking it off): a writer that opens it by name could lose a line at a cut`);
    return file;
  }
  const pids = await openersGone(id);
  if (pids.length > 0) throw giveBack(file, hidden, pids);
  return hidden;
}

/** Waits a little for processes that still hold the inode to close it; the PIDs of those that do not. */
async function openersGone(id: { dev: number; ino: number }): Promise<number[]> {
  for (const started = Date.now(); ; ) {
    const pids = othersHolding(id.dev, id.ino);
    if (pids.length === 0 || Date.now() - started > OPENER_WAIT_MS) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A job resumed at the hidden name: a process that opened FILE before the move may hold it still, and would lose lines at a cut. */
export async function assertNoOpeners(hidden: string, id: { dev: number; ino: number }, file: string): Promise<void> {
  const pids = await openersGone(id);
  if (pids.length > 0)
    throw new CmemError('HELD_OPEN', `${hidden} (the file of an interrupted block-mode run on ${file}) is held open by PID ${pids.join(', ')}: a writer holding it would lose lines at a cut; nothing was cut`, `when PID ${pids.join(', ')} is done, run: cmemgzip --resume ${file}`);
}
