// The reserve itself: a root-owned 0600 file of zeros whose blocks are really allocated, at
// DIR/.cmemgzip-reserve, grown by writing zeros (Node has no fallocate) and shrunk by ftruncate.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { euid } from '../fs/safe-path.js';
import { fsPath } from '../fs/raw-names.js';
import { closeJudged, fsyncDir } from './write-chunks.js';

export const RESERVE_NAME = '.cmemgzip-reserve';
export const reservePath = (dir: string) => path.join(path.resolve(dir), RESERVE_NAME);

const CHUNK = Buffer.alloc(1 << 20);
const mode8 = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');

/** Why dir may not hold a reserve: another user could swap or replace a name in it. */
export function insecureParent(dir: string): CmemError | undefined {
  const st = fs.statSync(fsPath(dir));
  if (!st.isDirectory()) return new CmemError('NOT_REGULAR', `${dir} is not a folder; --reserve takes the folder to keep it in`);
  const why = st.uid !== 0 && st.uid !== euid() ? `it is owned by uid ${st.uid}` : (st.mode & 0o022) !== 0 ? `it is writable by other users (mode ${mode8(st.mode)})` : undefined;
  return why ? new CmemError('INSECURE', `insecure parent directory ${dir}: ${why}; no reserve was made there`, 'keep the reserve in a folder only root can write, such as /var/log or /var/lib') : undefined;
}

/** Opens an existing reserve read-write, or undefined when there is none; refuses anything but our own plain file. */
export function openReserve(file: string): number | undefined {
  let fd: number;
  try {
    fd = fs.openSync(fsPath(file), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new CmemError('INSECURE', `${file} is a symlink, not a reserve of ours; left alone`, 'remove it');
    throw err;
  }
  const st = fs.fstatSync(fd);
  const why = !st.isFile() ? 'not a regular file' : st.uid !== euid() ? `owned by uid ${st.uid}` : (st.mode & 0o777) !== 0o600 ? `mode ${mode8(st.mode)}, not 0600` : st.nlink !== 1 ? `${st.nlink} links` : undefined;
  if (why) {
    closeJudged(fd);
    throw new CmemError('INSECURE', `${file} is not a reserve of ours (${why}); left alone`, 'remove it, or keep the reserve in another folder');
  }
  return fd;
}

/** Creates the reserve, empty: O_EXCL and O_NOFOLLOW, so no file or link already there is ever reused. */
export function createReserve(file: string): number {
  const fd = fs.openSync(fsPath(file), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  fsyncDir(path.dirname(file));
  return fd;
}

export const sizeOf = (fd: number) => fs.fstatSync(fd).size;

/**
 * Grows the reserve toward size by writing zeros, fsyncs it and checks that its blocks are there: a
 * sparse or deduplicated file would give back nothing. On ENOSPC it keeps what it got when partial
 * (growing back what is the reserve's own), else it is cut back to where it was. Returns its size.
 */
export function growReserve(fd: number, size: number, partial = false): number {
  const from = sizeOf(fd);
  let pos = from;
  try {
    while (pos < size) {
      const written = fs.writeSync(fd, CHUNK, 0, Math.min(CHUNK.length, size - pos), pos);
      if (written === 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
      pos += written;
    }
  } catch (err) {
    if (!partial || (err as NodeJS.ErrnoException).code !== 'ENOSPC') {
      shrinkReserve(fd, from);
      throw err;
    }
    fs.ftruncateSync(fd, pos);
  }
  fs.fsyncSync(fd);
  const st = fs.fstatSync(fd);
  if (st.blocks * 512 < st.size) {
    shrinkReserve(fd, from);
    throw new CmemError('IO', `the reserve's zeros take ${st.blocks * 512} bytes of disk, not ${st.size}: this filesystem does not allocate them (compression or deduplication)`, 'keep the reserve on another filesystem');
  }
  return st.size;
}

/** Gives back the reserve's blocks above size. */
export function shrinkReserve(fd: number, size: number): void {
  fs.ftruncateSync(fd, size);
  fs.fsyncSync(fd);
}

export function removeReserve(file: string): void {
  fs.unlinkSync(fsPath(file));
  fsyncDir(path.dirname(file));
}
