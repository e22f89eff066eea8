// Resolves a folder's path one name at a time, following only symlinks owned by root or by the effective
// user: a link another user owns can be pointed anywhere between a check and a use (logrotate's
// "insecure parent directory"), and a root run must never be steered into another folder by one.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { decode, fsPath, realPath } from './raw-names.js';

export interface Resolved {
  real: string;
  dev: number;
  ino: number;
}

const MAX_LINKS = 40;

/** Asked once: a run never changes its effective uid, and -r asked the kernel some 16 times a file. */
let effective: number | undefined;
export const euid = (): number => (effective ??= process.geteuid?.() ?? 0);

export function resolveTrusted(dir: string, uid = euid()): Resolved {
  let todo = path.resolve(dir).split('/').filter(Boolean);
  let current = '/';
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === '.') continue;
    if (name === '..') {
      current = path.dirname(current);
      continue;
    }
    const next = path.join(current, name);
    const st = fs.lstatSync(fsPath(next));
    if (!st.isSymbolicLink()) {
      current = next;
      continue;
    }
    if (st.uid !== 0 && st.uid !== uid)
      throw new CmemError(
        'INSECURE',
        `${next} is a symlink owned by uid ${st.uid}: that user could point it anywhere while cmemgzip works; nothing was touched`,
        `name the real folder (${realPath(next)}) if it is the right one, or run cmemgzip as uid ${st.uid}`,
      );
    if (++links > MAX_LINKS) throw new CmemError('IO', `${dir}: too many levels of symbolic links`);
    const target = decode(fs.readlinkSync(fsPath(next), { encoding: 'buffer' }));
    if (target.startsWith('/')) current = '/';
    todo = [...target.split('/').filter(Boolean), ...todo];
  }
  const st = fs.statSync(fsPath(current));
  return { real: current, dev: st.dev, ino: st.ino };
}
