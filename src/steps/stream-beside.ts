// Strategy 1 when there is room on disk: each compressed block goes to the private temporary as soon
// as it is ready and is read back and checked while later blocks compress, so neither the file nor
// its .gz is ever held whole in memory. Then trailer, fsync, metadata, rename.
import fs from 'node:fs';
import path from 'node:path';
import { deflateEach, FINAL_BLOCK } from './compress.js';
import { gzipHeader, gzipTrailer, type HeaderFields } from './gzip-format.js';
import { readEachBlock } from './read-blocks.js';
import { restoreMetadata, type Metadata } from './restore-metadata.js';
import { checkSegment, readAt, verifyFailed, type SegmentAt } from './verify.js';
import { NotDurable, tempPathFor } from './write-beside.js';
import { writeChunks } from './write-chunks.js';
import { syncFolder } from './folder-sync.js';
import { CORES } from './parallel.js';
import { at } from '../fs/pinned-folders.js';
import { STEP } from './step-names.js';
import { reached } from './reached.js';

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
  original: Metadata;
  /** Told the temporary's path once it exists, and undefined once it is gone (renamed or removed). */
  onTemp: (temp: string | undefined) => void;
  onBlock?: (bytes: number) => void;
  /** Throws if the source changed while it was read; runs before the rename, so a stale .gz never lands. */
  assertSource: (bytesRead: number) => void;
}

export async function streamBeside(job: StreamJob): Promise<Streamed> {
  const temp = tempPathFor(job.outputPath);
  reached(STEP.stream);
  const out = fs.openSync(at(temp), CREATE_FLAGS, 0o600);
  job.onTemp(temp);
  try {
    const header = gzipHeader(job.header);
    let position = writeChunks(out, [header], 0);
    let index = 0;
    const checks = new Set<Promise<void>>();
    let failure: unknown;
    const check = async (where: SegmentAt) => {
      while (checks.size >= CHECKS) await Promise.race(checks).catch(() => {});
      if (failure) throw failure;
      const done = checkSegment(out, temp, where, index++);
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
    reached(STEP.fsyncTemp);
    fs.fsyncSync(out);
    if (fs.fstatSync(out).size !== position) throw verifyFailed(temp, 'its size is not what was written');
    if (!readAt(out, header.length, 0).equals(header) || !readAt(out, trailer.length, position - trailer.length).equals(trailer))
      throw verifyFailed(temp, 'header or trailer (CRC-32, length) differs');
    restoreMetadata(out, job.original);
    fs.fsyncSync(out);
    job.assertSource(size);
    fs.closeSync(out);
    reached(STEP.rename);
    fs.renameSync(at(temp), at(job.outputPath));
    job.onTemp(undefined);
    reached(STEP.fsyncFolder);
    try {
      await syncFolder(path.dirname(job.outputPath));
    } catch (err) {
      // The .gz is whole and under its name: nothing may be undone, and a rerun finishes the job.
      throw new NotDurable(job.outputPath, err);
    }
    return { size, crc, compressedSize: position };
  } catch (err) {
    try {
      fs.closeSync(out);
    } catch {
      /* closed before the rename failed */
    }
    fs.rmSync(at(temp), { force: true });
    job.onTemp(undefined);
    throw err;
  }
}
