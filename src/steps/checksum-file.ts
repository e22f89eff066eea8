// Length and CRC-32 of a plain file, read back in chunks: what a decompressed output is verified by.
import fs from 'node:fs';
import { crc32 } from './gzip-format.js';
import { readFull } from './read-blocks.js';

const CHUNK = 1024 * 1024;

export function checksumFile(file: string): { size: number; crc: number } {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  const buf = Buffer.allocUnsafe(CHUNK);
  let size = 0;
  let crc = 0;
  try {
    for (let n = readFull(fd, buf, 0); n > 0; n = readFull(fd, buf, size)) {
      crc = crc32(buf.subarray(0, n), crc);
      size += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { size, crc };
}
