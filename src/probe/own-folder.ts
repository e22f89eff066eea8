// Whether a folder may hold cmemgzip's state: made for the effective user, mode 0700, reached through
// folders no other user can swap. Read only: creating one is steps/state-folder.ts's.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { at } from '../fs/pinned-folders.js';
import { fsPath, realPath } from '../fs/raw-names.js';
import { euid } from '../fs/safe-path.js';

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

export const refusedFolder = (folder: string, why: string) =>
  new CmemError('INSECURE', `${folder} cannot hold cmemgzip's state: ${why}; it was not used`, `remove or fix ${folder} (it must be a folder owned by uid ${euid()}, mode 0700), or give --stash DIR`);

/** Checks folder for use (throws INSECURE with the reason); false when it does not exist. */
export function checkStateFolder(folder: string): boolean {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(at(folder), { throwIfNoEntry: false });
  } catch (err) {
    // A place this user cannot look into (another user's CMEMGZIP_STATE_DIRS) is passed over like an unsafe one.
    if ((err as NodeJS.ErrnoException).code !== 'EACCES') throw err;
    throw refusedFolder(folder, 'its place cannot be looked into (permission denied)');
  }
  if (!st) return false;
  const why = untrustedFolder(st);
  if (why) throw refusedFolder(folder, why);
  return true;
}

/** Where base's state folder is, whether or not it exists. */
export const stateFolderPath = (base: string) => path.join(path.resolve(base), stateFolderName());

/** The state folder in base when it exists, else undefined; throws INSECURE when it, or a folder above it, is unsafe. */
export function findStateFolder(base: string): string | undefined {
  const folder = stateFolderPath(base);
  // Folders found safe stay safe (above): one known so is not looked for again (-r: a note a file).
  const ancestor = !safeAncestors.has(base) && fs.existsSync(fsPath(base)) ? unsafeAncestor(base) : undefined;
  if (ancestor) throw refusedFolder(folder, `its parent ${ancestor}`);
  return checkStateFolder(folder) ? folder : undefined;
}
