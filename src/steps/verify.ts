// Reads a written member back from disk and checks it decompresses to exactly the bytes read,
// segment by segment on the thread pool (each segment stands alone).
import fs from 'node:fs';
import zlib from 'node:zlib';
import { CmemError } from '../errors.js';
import type { Compressed } from './compress.js';
import { CORES, mapLimit } from './parallel.js';
import { readFull, type SourceData } from './read-blocks.js';
import { at } from '../fs/pinned-folders.js';
import { closeJudged } from './write-chunks.js';

/** expected sizes the output buffer: one allocation instead of 16 KiB chunks and a concatenation. */
function inflateSegment(segment: Buffer, last: boolean, expected: number): Promise<Buffer> {
  const finishFlush = last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
  const chunkSize = Math.max(zlib.constants.Z_MIN_CHUNK, expected + 1);
  return new Promise((resolve, reject) =>
    zlib.inflateRaw(segment, { finishFlush, chunkSize }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

export function readAt(fd: number, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  if (readFull(fd, buf, position) !== length) throw new Error('file is shorter than what was written');
  return buf;
}

export const verifyFailed = (where: string, why: string) =>
  new CmemError('VERIFY_FAILED', `verification of ${where} failed: ${why}`, 'the original was not removed; check the disk (dmesg) and retry');

export interface SegmentAt {
  position: number;
  length: number;
  /** The bytes it must decompress to. */
  block: Buffer;
  /** The final block must end the stream; the others must not. */
  last: boolean;
}

/** Reads one segment back from fd and checks it inflates to exactly its block. */
export async function checkSegment(fd: number, file: string, where: SegmentAt, index: number): Promise<void> {
  let out: Buffer;
  try {
    out = await inflateSegment(readAt(fd, where.length, where.position), where.last, where.block.length);
  } catch (err) {
    throw verifyFailed(file, `block ${index}: ${(err as Error).message}`);
  }
  if (!out.equals(where.block)) throw verifyFailed(file, `block ${index} does not decompress to the original bytes`);
}

/** Throws VERIFY_FAILED unless the file at `file` holds exactly `expected` and it inflates to `source`. */
export async function verifyWritten(file: string, expected: Compressed, source: SourceData): Promise<void> {
  const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const size = fs.fstatSync(fd).size;
    if (size !== expected.size) throw verifyFailed(file, `size is ${size} bytes, expected ${expected.size}`);
    if (!readAt(fd, expected.header.length, 0).equals(expected.header)) throw verifyFailed(file, 'header differs');
    const positions: number[] = [];
    let pos = expected.header.length;
    for (const seg of expected.segments) {
      positions.push(pos);
      pos += seg.length;
    }
    if (!readAt(fd, expected.trailer.length, pos).equals(expected.trailer)) throw verifyFailed(file, 'trailer (CRC-32, length) differs');
    const { blocks } = source;
    const last = expected.segments.length - 1;
    await mapLimit(expected.segments, CORES * 2, (seg, i) =>
      // Segment i holds block i; the last one is the empty final block.
      checkSegment(fd, file, { position: positions[i], length: seg.length, block: blocks[i] ?? Buffer.alloc(0), last: i === last }, i),
    );
  } finally {
    closeJudged(fd);
  }
}
