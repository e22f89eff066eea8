// File facts from lstat: kind, size, links, owner, mode, times and identity (dev/ino).
import fs from 'node:fs';
import path from 'node:path';
import { at } from '../fs/pinned-folders.js';

export type FileKind = 'file' | 'directory' | 'symlink' | 'fifo' | 'socket' | 'device' | 'missing';

export interface FileFacts {
  path: string;
  dir: string;
  base: string;
  kind: FileKind;
  dev: number;
  ino: number;
  /** Birth time in nanoseconds (statx), as decimal digits: with ino, what tells this file from a later one. */
  birth: string;
  size: number;
  /** Bytes of blocks the file holds (st_blocks x 512): what freeing it gives back; less than size when it has holes. */
  allocated: number;
  nlink: number;
  uid: number;
  gid: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
  /** Nanosecond stamps: the change check compares these, not rounded milliseconds. */
  mtimeNs: bigint;
  ctimeNs: bigint;
}

function kindOf(st: fs.BigIntStats): FileKind {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'device';
}

export function factsFromStats(file: string, st: fs.BigIntStats): FileFacts {
  const abs = path.resolve(file);
  return {
    path: abs,
    dir: path.dirname(abs),
    base: path.basename(abs),
    kind: kindOf(st),
    dev: Number(st.dev),
    ino: Number(st.ino),
    birth: String(st.birthtimeNs),
    size: Number(st.size),
    allocated: Number(st.blocks) * 512,
    nlink: Number(st.nlink),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mode: Number(st.mode),
    // BigIntStats' *Ms fields are whole milliseconds: keep the microseconds that futimes can restore.
    atimeMs: Number(st.atimeNs / 1000n) / 1000,
    mtimeMs: Number(st.mtimeNs / 1000n) / 1000,
    mtimeNs: st.mtimeNs,
    ctimeNs: st.ctimeNs,
  };
}

/** lstat, never following a symlink; a missing file is a kind, not an exception. */
export function probeFile(file: string): FileFacts {
  try {
    return factsFromStats(file, fs.lstatSync(at(file), { bigint: true }));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    const abs = path.resolve(file);
    return {
      path: abs, dir: path.dirname(abs), base: path.basename(abs), kind: 'missing',
      dev: 0, ino: 0, birth: '0', size: 0, allocated: 0, nlink: 0, uid: 0, gid: 0, mode: 0, atimeMs: 0, mtimeMs: 0, mtimeNs: 0n, ctimeNs: 0n,
    };
  }
}

/** True when two observations are the same inode with the same size and times. */
export function sameContent(a: FileFacts, b: FileFacts): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}
