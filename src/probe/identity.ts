// What tells a file from a later one that was given the same inode number, and stays the same across a
// remount or a reboot: the inode number, its birth time (statx), its owner and its filesystem's type.
// Device numbers are not part of it: btrfs, LVM and loop devices get other ones after a remount.
import fs from 'node:fs';
import { fsPath } from '../fs/raw-names.js';

export interface Identity {
  ino: number;
  /** Birth time in nanoseconds, as decimal digits ('0' where the filesystem keeps none). */
  birth: string;
}

/** The identity of what a (bigint) stat describes. */
export const identityOf = (st: Pick<fs.BigIntStats, 'ino' | 'birthtimeNs'>): Identity => ({ ino: Number(st.ino), birth: String(st.birthtimeNs) });

/** The name records of a file's job carry: found again by it after any remount. */
export const recordKey = (id: Identity) => `${id.ino}-${id.birth}`;

export const sameIdentity = (a: Identity | undefined, b: Identity | undefined): boolean =>
  a !== undefined && b !== undefined && a.ino === b.ino && a.birth === b.birth;

/** The identity of what path names now (not following a symlink at its end), or undefined. */
export function identityAt(path: string | Buffer): Identity | undefined {
  const st = fs.lstatSync(path, { bigint: true, throwIfNoEntry: false });
  return st?.isFile() ? identityOf(st) : undefined;
}

/** The type of the filesystem that holds path (statfs f_type): a record made on another kind is not this file's. */
export const fsTypeOf = (path: string | Buffer): number => fs.statfsSync(typeof path === 'string' ? fsPath(path) : path).type;
