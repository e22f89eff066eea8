// Whether FILE holds what a safety copy's record says it must at the step it reached: the original's
// bytes (their CRC-32) before the rewrite began, the .gz's first bytes once it did. A record is acted on
// only when FILE proves it: a later file that was given the same inode number proves neither.
import fs from 'node:fs';
import { checksumFd, checksumFile } from './checksum-file.js';
import { readFull } from './read-blocks.js';
import { at } from '../fs/pinned-folders.js';

/** The first bytes compared: a gzip header with its name and mtime, and the start of the deflate stream. */
const HEAD = 4096;

/** FILE (a path, or a descriptor open on it) still begins with the original's `size` bytes (a writer may have appended since). */
export function holdsOriginal(file: string | number, expected: { size: number; crc: number }): boolean {
  const got = typeof file === 'number' ? checksumFd(file, expected.size) : checksumFile(file, expected.size);
  return got.size === expected.size && got.crc === expected.crc;
}

function head(file: string, length: number): Buffer {
  const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readFull(fd, buf, 0));
  } finally {
    fs.closeSync(fd);
  }
}

/** FILE begins with the copy's first bytes: the rewrite in place wrote them over its head. */
export function beginsWith(file: string, copy: string, compressedSize: number): boolean {
  const length = Math.min(HEAD, compressedSize);
  const want = head(copy, length);
  return want.length === length && head(file, length).equals(want);
}
