// Length and CRC-32 of a plain file, read back in chunks: what a decompressed output is verified by.
import fs from 'node:fs';
import { crc32 } from './gzip-format.js';
import { readFull } from './read-blocks.js';
import { at } from '../fs/pinned-folders.js';

const CHUNK = 1024 * 1024;

/** The first `limit` bytes only, when given (a stash's content at the head of a live log, say). */
export function checksumFile(file: string, limit = Infinity): { size: number; crc: number } {
  const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return checksumFd(fd, limit);
  } finally {
    fs.closeSync(fd);
  }
}

/** checksumFile through a descriptor already open (a deleted file reached through /proc/PID/fd/N), from start on. */
export function checksumFd(fd: number, limit = Infinity, start = 0): { size: number; crc: number } {
  const buf = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  let crc = 0;
  const next = () => readFull(fd, buf.subarray(0, Math.min(CHUNK, limit - size)), start + size);
  for (let n = next(); n > 0; n = next()) {
    crc = crc32(buf.subarray(0, n), crc);
    size += n;
  }
  return { size, crc };
}
