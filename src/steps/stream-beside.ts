// Strategy 1 when there is room on disk: each compressed block goes to the private temporary as soon
// as it is ready and is read back and checked while later blocks compress, so neither the file nor
// its .gz is ever held whole in memory. Then trailer, fsync, the checks of its ends, metadata.
import fs from 'node:fs';
import { deflateEach, FINAL_BLOCK } from './compress.js';
import { gzipHeader, gzipTrailer, type HeaderFields } from './gzip-format.js';
import { readEachBlock } from './read-blocks.js';
import type { Metadata } from './restore-metadata.js';
import { checkSegment, readAt, verifyFailed, type SegmentAt } from './verify.js';
import { createTemp, sealTemp, type TempGz } from './write-beside.js';
import { writeChunks } from './write-chunks.js';
import { CORES } from './parallel.js';

const CREATE_FLAGS = fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** Read-back checks queued at once: each holds a block-sized output buffer. */
const CHECKS = CORES * 2;

export interface Streamed {
  size: number;
  crc: number;
  compressedSize: number;
}

export interface StreamJob {
  /** The source, open for reading. */
  fd: number;
  outputPath: string;
  header: HeaderFields;
  onBlock?: (bytes: number) => void;
}

/** The temporary, written whole and each segment checked, with what its seal checks again. */
export interface StreamedTemp extends Streamed {
  temp: TempGz;
  head: Buffer;
  trailer: Buffer;
}

/** The step "read, compress and write the temporary .gz": every segment read back and checked as later blocks compress. The temporary is in t.temp as soon as it exists. */
export async function streamTemp(job: StreamJob, t: { temp?: TempGz }): Promise<StreamedTemp> {
  const temp = (t.temp = createTemp(job.outputPath, CREATE_FLAGS));
  const out = temp.fd!;
  const header = gzipHeader(job.header);
  let position = writeChunks(out, [header], 0);
  let index = 0;
  const checks = new Set<Promise<void>>();
  let failure: unknown;
  const check = async (where: SegmentAt) => {
    while (checks.size >= CHECKS) await Promise.race(checks).catch(() => {});
    if (failure) throw failure;
    const done = checkSegment(out, temp.path, where, index++);
    checks.add(done);
    void done.then(
      () => checks.delete(done),
      (err: unknown) => void (failure ??= err),
    );
  };
  // Each segment is checked once the next is written, so that the last is read back with the final block
  // after it: one inflate that must end the stream, not one more on the pool for two bytes (a small file has one segment).
  let held: SegmentAt | undefined;
  const { crc, size } = await deflateEach(readEachBlock(job.fd), {
    level: job.header.level,
    onBlock: job.onBlock,
    onSegment: async (segment, block) => {
      const at = position;
      position = writeChunks(out, [segment], at);
      if (held) await check(held);
      held = { position: at, length: segment.length, block, last: false };
    },
  });
  const trailer = gzipTrailer(crc, size);
  const finalAt = position;
  position = writeChunks(out, [FINAL_BLOCK, trailer], finalAt);
  await check(held ? { ...held, length: held.length + FINAL_BLOCK.length, last: true } : { position: finalAt, length: FINAL_BLOCK.length, block: Buffer.alloc(0), last: true });
  await Promise.all(checks);
  return { temp, head: header, trailer, size, crc, compressedSize: position };
}

/** The step "fsync the temporary": durable, its length, header and trailer read back, the original's metadata on it, closed. */
export function sealStreamed(s: StreamedTemp, original: Metadata): void {
  const out = s.temp.fd!;
  fs.fsyncSync(out);
  if (fs.fstatSync(out).size !== s.compressedSize) throw verifyFailed(s.temp.path, 'its size is not what was written');
  if (!readAt(out, s.head.length, 0).equals(s.head) || !readAt(out, s.trailer.length, s.compressedSize - s.trailer.length).equals(s.trailer))
    throw verifyFailed(s.temp.path, 'header or trailer (CRC-32, length) differs');
  sealTemp(s.temp, original);
}
