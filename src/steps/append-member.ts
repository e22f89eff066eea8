// Appends one gzip member to a durable .gz and checks, from disk, that it decompresses to the bytes it
// holds; on any failure the .gz is cut back to what it was, so it stays a verified whole.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { CmemError, toCmemError } from '../errors.js';
import { crc32 } from './gzip-format.js';
import { readFull } from './read-blocks.js';
import type { Content } from './test-gzip.js';
import { hex } from './verify-content.js';
import { writeChunks } from './write-chunks.js';
import { at } from '../fs/pinned-folders.js';

export function appendMember(file: string, chunks: readonly Buffer[], expected: Content): void {
  const fd = fs.openSync(at(file), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  const start = fs.fstatSync(fd).size;
  try {
    const end = writeChunks(fd, chunks, start);
    fs.fsyncSync(fd);
    const back = Buffer.allocUnsafe(end - start);
    const got = readFull(fd, back, start) === back.length ? zlib.gunzipSync(back) : Buffer.alloc(0);
    const crc = crc32(got);
    if (got.length !== expected.size || crc !== expected.crc)
      throw new CmemError(
        'VERIFY_FAILED',
        `verification of the member appended to ${file} failed: it holds ${got.length} bytes with CRC-32 ${hex(crc)}, expected ${expected.size} with ${hex(expected.crc)}`,
        'nothing was truncated; check the disk (dmesg) and retry',
      );
  } catch (err) {
    fs.ftruncateSync(fd, start);
    fs.fsyncSync(fd);
    throw toCmemError(err, `appending to ${file}`);
  } finally {
    fs.closeSync(fd);
  }
}
