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

/**
 * Reads until end of file rather than to the size seen earlier, so that a file which grew while
 * it was read shows up as a size mismatch instead of silently losing its tail.
 */
export function readBlocks(fd: number, blockSize = BLOCK_SIZE, onBlock: (bytes: number) => void = () => {}): SourceData {
  const blocks: Buffer[] = [];
  let size = 0;
  let crc = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(blockSize);
    const n = readFull(fd, buf, size);
    if (n === 0) break;
    const block = n === blockSize ? buf : Buffer.from(buf.subarray(0, n));
    blocks.push(block);
    crc = crc32(block, crc);
    size += n;
    onBlock(n);
    if (n < blockSize) break;
  }
  return { blocks, size, crc };
}
