// Where a file went: the name in its folder that now leads to its identity (logrotate renames app.log
// to app.log.1 in place), so that a job finishes under the file's new name and says where it is.
import fs from 'node:fs';
import path from 'node:path';
import { identityAt, sameIdentity, type Identity } from './identity.js';
import { fsPath } from '../fs/raw-names.js';

/** A folder of a great many names is looked through up to this many. */
const MAX_LOOKED_AT = 10_000;

/** The name in dir that leads to the identity now, if any. */
export function renamedIn(dir: string, id: Identity): string | undefined {
  try {
    return (fs.readdirSync(fsPath(dir)) as string[])
      .slice(0, MAX_LOOKED_AT)
      .map((n) => path.join(dir, n))
      .find((f) => sameIdentity(identityAt(fsPath(f)), id));
  } catch {
    return undefined;
  }
}

/** The name that leads to the file now: the one it had, or the one it was renamed to within its folder. */
export const currentName = (file: string, id: Identity): string | undefined =>
  sameIdentity(identityAt(fsPath(file)), id) ? file : renamedIn(path.dirname(file), id);
