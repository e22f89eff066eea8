// The tool's own folders for safety copies, notes and journals: made by it for the effective user, mode
// 0700, checked at every use (probe/own-folder.ts), never shared between users. Files in them are created O_EXCL|O_NOFOLLOW at
// 0600, moved into place by rename within the folder, and read only when the effective user owns them.
import fs from 'node:fs';
import path from 'node:path';
import { euid } from '../fs/safe-path.js';
import { checkStateFolder, findStateFolder, refusedFolder, stateFolderPath } from '../probe/own-folder.js';
import { at } from '../fs/pinned-folders.js';
import { closeJudged, fsyncDir } from './write-chunks.js';
import { decode, encode } from '../fs/raw-names.js';

/** The state folder in base, created when missing and create is set; undefined when absent. Throws INSECURE. */
export function stateFolderIn(base: string, create: boolean): string | undefined {
  const found = findStateFolder(base);
  if (found !== undefined || !create) return found;
  const folder = stateFolderPath(base);
  makeOwnFolder(folder);
  return folder;
}

/** mkdir at 0700 (never through a symlink: mkdir does not follow one at the last name), then check it. */
export function makeOwnFolder(folder: string): void {
  try {
    fs.mkdirSync(at(folder), { mode: 0o700 });
    fsyncDir(path.dirname(folder));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (!checkStateFolder(folder)) throw refusedFolder(folder, 'it vanished right after it was made');
}

const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Creates a new file in a checked state folder (made again if another run just tidied it away); a leftover
 * of ours under that name is removed first. Created first and looked at only when the name is taken: a
 * leftover is rare, and -r creates a note for every file.
 */
export function createOwnFile(folder: string, name: string, flags = CREATE): number {
  if (!checkStateFolder(folder)) makeOwnFolder(folder);
  const file = at(path.join(folder, name));
  try {
    return fs.openSync(file, flags | CREATE, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  removeOwnFile(folder, name);
  return fs.openSync(file, flags | CREATE, 0o600);
}

/**
 * Removes name from a state folder when it is there (a folder under that name is refused, EISDIR, as
 * rmSync does); whether it was. Looked at first: a missing name is the usual case, and a thrown ENOENT
 * costs more than the look.
 */
export function removeOwnFile(folder: string, name: string): boolean {
  const file = at(path.join(folder, name));
  if (!fs.lstatSync(file, { throwIfNoEntry: false })) return false;
  fs.unlinkSync(file);
  return true;
}

/** Removes a state folder once it is empty, so that nothing is left behind; one still in use stays. */
export function tidyStateFolder(folder: string): void {
  try {
    fs.rmdirSync(at(folder));
  } catch {
    /* not empty, or already gone */
  }
}

/** Replaces name with text durably: a temporary, fsync, rename within the folder, fsync of the folder. */
export function writeOwnFile(folder: string, name: string, text: string): void {
  const temp = `${name}.tmp`;
  const fd = createOwnFile(folder, temp);
  try {
    fs.writeSync(fd, encode(text));
    fs.fsyncSync(fd);
  } finally {
    closeJudged(fd);
  }
  fs.renameSync(at(path.join(folder, temp)), at(path.join(folder, name)));
  fsyncDir(folder);
}

/**
 * Writes name in place, without a temporary or an fsync: for a note that only a kill must not lose (the
 * page cache keeps it). A kill while it is written leaves it shorter, never missing.
 */
export function writeOwnNote(folder: string, name: string, text: string): void {
  const fd = createOwnFile(folder, name);
  try {
    fs.writeSync(fd, encode(text));
  } finally {
    closeJudged(fd);
  }
}

/** The text of a file of ours in a checked folder; undefined when it is missing, not a regular file or not ours. */
export function readOwnFile(folder: string, name: string): string | undefined {
  if (!checkStateFolder(folder)) return undefined;
  let fd: number;
  try {
    fd = fs.openSync(at(path.join(folder, name)), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile() || st.uid !== euid() || st.size > 1 << 20) return undefined;
    return decode(fs.readFileSync(fd));
  } finally {
    closeJudged(fd);
  }
}
