// Reads a file into a list of block buffers (never one Buffer: those stop at 2-4 GiB), and their CRC-32.
import fs from 'node:fs';
import { crc32 } from './gzip-format.js';

export const BLOCK_SIZE = 1024 * 1024;

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
 * Reads until end of file (or `length`) rather than to the size seen earlier, so that a file which
 * grew while it was read shows up as a size mismatch instead of silently losing its tail.
 */
export function readBlocks(fd: number, { start = 0, length = Infinity, blockSize = BLOCK_SIZE, onBlock = () => {} }: ReadRange = {}): SourceData {
  const blocks: Buffer[] = [];
  let size = 0;
  let crc = 0;
  while (size < length) {
    const want = Math.min(blockSize, length - size);
    const buf = Buffer.allocUnsafe(want);
    const n = readFull(fd, buf, start + size);
    if (n === 0) break;
    const block = n === want ? buf : Buffer.from(buf.subarray(0, n));
    blocks.push(block);
    crc = crc32(block, crc);
    size += n;
    onBlock(n);
    if (n < want) break;
  }
  return { blocks, size, crc };
}

/** A whole file (a stash copy, a part) as blocks; the descriptor is closed again. */
export function readFileBlocks(file: string): Buffer[] {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return readBlocks(fd).blocks;
  } finally {
    fs.closeSync(fd);
  }
}
