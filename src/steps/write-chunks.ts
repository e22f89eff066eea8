// Durable writes: a list of buffers written with writev at an offset, and fsync of a folder.
import fs from 'node:fs';
import { at, pinnedFd } from '../fs/pinned-folders.js';

/**
 * Writes every byte of chunks at position; returns the end offset. libuv already splits long lists and
 * retries, so a short count means the disk refused the rest: the next call throws (ENOSPC, EDQUOT, EIO).
 */
export function writeChunks(fd: number, chunks: readonly Buffer[], position = 0): number {
  let pos = position;
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    let written = fs.writevSync(fd, pending, pos);
    pos += written;
    let done = 0;
    while (done < pending.length && written >= pending[done].length) written -= pending[done++].length;
    pending = pending.slice(done);
    if (written > 0) pending[0] = pending[0].subarray(written);
  }
  return pos;
}

/**
 * Closes a descriptor that only read, or whose bytes an fsync (passed or failed) has already judged. Linux
 * releases it even when close reports an error, and that error (NFS reports late write errors there) says
 * nothing fsync did not: failing on it would undo good work, or hide the error that matters. EBADF, a bug
 * of ours, still throws.
 */
export function closeJudged(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EBADF') throw err;
  }
}

/** Makes a rename, create or unlink in dir durable. */
export function fsyncDir(dir: string): void {
  const held = pinnedFd(dir);
  if (held !== undefined) return fs.fsyncSync(held);
  const fd = fs.openSync(at(dir), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    closeJudged(fd);
  }
}
