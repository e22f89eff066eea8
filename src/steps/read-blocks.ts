// Reads a file into a list of block buffers (never one Buffer: those stop at 2-4 GiB), and their CRC-32.
import fs from 'node:fs';
import { crc32 } from './gzip-format.js';
import { at } from '../fs/pinned-folders.js';
import { closeJudged } from './write-chunks.js';

export const BLOCK_SIZE = 1024 * 1024;
/** Reads are at least this long, and a short last read keeps its buffer when it wastes no more than this. */
const SMALLEST_READ = 64 * 1024;

export interface SourceData {
  blocks: Buffer[];
  size: number;
  crc: number;
}

/** Fills buf from fd at position; returns the bytes read (short only at end of file). */
export function readFull(fd: number, buf: Buffer, position: number): number {
  let got = 0;
  while (got < buf.length) {
    const n = fs.readSync(fd, buf, got, buf.length - got, position + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

export interface ReadRange {
  /** Where to start; block mode reads one block of the file at a time. */
  start?: number;
  /** At most this many bytes; without it, up to end of file. */
  length?: number;
  blockSize?: number;
  onBlock?: (bytes: number) => void;
}

/**
 * Yields the file's blocks as they are read. Reads until end of file (or `length`) rather than to the
 * size seen earlier, so that a file which grew while it was read shows up as a size mismatch instead
 * of silently losing its tail.
 */
export function* readEachBlock(fd: number, { start = 0, length = Infinity, blockSize = BLOCK_SIZE }: ReadRange = {}): Generator<Buffer> {
  // Buffers sized to the file as it is now, plus one byte to see it grow: a small file costs no full block.
  const now = fs.fstatSync(fd).size - start;
  let size = 0;
  while (size < length) {
    // The first read is sized to the file (a small log of -r holds no 64 KiB buffer through its job); the
    // next ones, of a file that grew meanwhile, are at least SMALLEST_READ.
    const want = Math.min(blockSize, length - size, size === 0 ? Math.max(1, now + 1) : Math.max(SMALLEST_READ, now - size + 1));
    const buf = Buffer.allocUnsafe(want);
    const n = readFull(fd, buf, start + size);
    if (n === 0) return;
    size += n;
    yield n === want || want - n <= SMALLEST_READ ? buf.subarray(0, n) : Buffer.from(buf.subarray(0, n));
    if (n < want) return;
  }
}

/** Collects blocks into a SourceData, summing the CRC-32 as they pass. */
export function collector(onBlock: (bytes: number) => void = () => {}) {
  const source: SourceData = { blocks: [], size: 0, crc: 0 };
  const take = (block: Buffer) => {
    source.blocks.push(block);
    source.crc = crc32(block, source.crc);
    source.size += block.length;
    onBlock(block.length);
  };
  return { source, take };
}

export function readBlocks(fd: number, range: ReadRange = {}): SourceData {
  const { source, take } = collector(range.onBlock);
  for (const block of readEachBlock(fd, range)) take(block);
  return source;
}

/** A whole file (a stash copy, a part) as blocks; the descriptor is closed again. */
export function readFileBlocks(file: string): Buffer[] {
  const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return readBlocks(fd).blocks;
  } finally {
    closeJudged(fd);
  }
}
