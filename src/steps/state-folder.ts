// The tool's own folders for safety copies, notes and journals: made by it for the effective user, mode
// 0700, checked at every use, never shared between users. Files in them are created O_EXCL|O_NOFOLLOW at
// 0600, moved into place by rename within the folder, and read only when the effective user owns them.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { euid } from '../probe/safe-path.js';
import { at } from './pinned-folders.js';
import { closeJudged, fsyncDir } from './write-chunks.js';
import { decode, encode, fsPath, realPath } from '../probe/raw-names.js';

/** One folder per user in each place. */
export const stateFolderName = (uid = euid()) => `cmemgzip-${uid}`;

const mode8 = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** Why st cannot hold our state, or undefined when it can: a real folder, ours, open to nobody else. */
export function untrustedFolder(st: fs.Stats | undefined, uid = euid()): string | undefined {
  if (!st) return 'it is missing';
  if (st.isSymbolicLink()) return 'it is a symlink';
  if (!st.isDirectory()) return 'it is not a folder';
  if (st.uid !== uid) return `it is owned by uid ${st.uid}, not by uid ${uid}`;
  if ((st.mode & 0o077) !== 0) return `its mode is ${mode8(st.mode)}, not 0700`;
  return undefined;
}

/** Why entries of folder could be renamed or replaced by another user, or undefined: owned by root or us, and writable by others only with the sticky bit. */
export function unsafeParent(st: fs.Stats, uid = euid()): string | undefined {
  if (st.uid !== 0 && st.uid !== uid) return `it is owned by uid ${st.uid}`;
  if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) return `it is writable by other users (mode ${mode8(st.mode)}) without the sticky bit`;
  return undefined;
}

/**
 * Folders found safe, for the run: only root or this user can change a safe folder's entries, so it stays
 * safe (the state folder itself is still checked at every use).
 */
const safeAncestors = new Set<string>();

/** Every folder from / down to dir must be safe: else another user could swap the state folder's path. */
function unsafeAncestor(dir: string): string | undefined {
  if (safeAncestors.has(dir)) return undefined;
  let current = realPath(dir);
  for (;;) {
    const why = unsafeParent(fs.statSync(fsPath(current)));
    if (why) return `${current}: ${why}`;
    if (current === '/') break;
    current = path.dirname(current);
  }
  safeAncestors.add(dir);
  return undefined;
}

const refused = (folder: string, why: string) =>
  new CmemError('INSECURE', `${folder} cannot hold cmemgzip's state: ${why}; it was not used`, `remove or fix ${folder} (it must be a folder owned by uid ${euid()}, mode 0700), or give --stash DIR`);

/** Checks folder for use (throws INSECURE with the reason); false when it does not exist. */
export function checkStateFolder(folder: string): boolean {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(at(folder), { throwIfNoEntry: false });
  } catch (err) {
    // A place this user cannot look into (another user's CMEMGZIP_STATE_DIRS) is passed over like an unsafe one.
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    throw refused(folder, 'its place cannot be looked into (permission denied)');
  }
  if (!st) return false;
  const why = untrustedFolder(st);
  if (why) throw refused(folder, why);
  return true;
}

/** The state folder in base, created when missing and create is set; undefined when absent. Throws INSECURE. */
export function stateFolderIn(base: string, create: boolean): string | undefined {
  const folder = path.join(path.resolve(base), stateFolderName());
  const ancestor = fs.existsSync(fsPath(base)) ? unsafeAncestor(base) : undefined;
  if (ancestor) throw refused(folder, `its parent ${ancestor}`);
  if (checkStateFolder(folder)) return folder;
  if (!create) return undefined;
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
  if (!checkStateFolder(folder)) throw refused(folder, 'it vanished right after it was made');
}

const CREATE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** Creates a new file in a checked state folder (made again if another run just tidied it away); a leftover of ours under that name is removed first. */
export function createOwnFile(folder: string, name: string, flags = CREATE): number {
  if (!checkStateFolder(folder)) makeOwnFolder(folder);
  removeOwnFile(folder, name);
  return fs.openSync(at(path.join(folder, name)), flags | CREATE, 0o600);
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
