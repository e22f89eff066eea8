// readFull and readBlocks on real files: block boundaries, ranges and the CRC-32 of the whole.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { readBlocks, readFileBlocks, readFull, type ReadRange } from '../src/steps/read-blocks.js';

const BS = 4096;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-read-blocks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes data to a temp file and runs fn on an open descriptor for it. */
function withFile<T>(data: Buffer, fn: (fd: number) => T): T {
  const file = path.join(dir, 'data');
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r');
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}
const read = (data: Buffer, range: ReadRange = {}) => withFile(data, (fd) => readBlocks(fd, { blockSize: BS, ...range }));

it.each([
  [0, []],
  [1, [1]],
  [BS - 1, [BS - 1]],
  [BS, [BS]],
  [BS + 1, [BS, 1]],
  [3 * BS + 17, [BS, BS, BS, 17]],
])('reads %d bytes as blocks of %j, with the CRC-32 of the whole', (size, lengths) => {
  const data = crypto.randomBytes(size);
  const src = read(data);
  expect(src.blocks.map((b) => b.length)).toEqual(lengths);
  expect(Buffer.concat(src.blocks).equals(data)).toBe(true);
  expect(src.size).toBe(size);
  expect(src.crc).toBe(zlib.crc32(data));
});

it.each([
  [{ start: BS + 5 }, BS + 5, 3 * BS + 10],
  [{ length: BS + 1 }, 0, BS + 1],
  [{ start: 100, length: 2 * BS }, 100, 100 + 2 * BS],
  [{ start: 3 * BS, length: 2 * BS }, 3 * BS, 3 * BS + 10],
  [{ start: 5 * BS }, 0, 0],
])('reads the range %j as bytes %d to %d', (range, from, to) => {
  const data = crypto.randomBytes(3 * BS + 10);
  const src = read(data, range);
  expect(Buffer.concat(src.blocks).equals(data.subarray(from, to))).toBe(true);
  expect(src.crc).toBe(zlib.crc32(data.subarray(from, to)));
});

it('reports each block read', () => {
  const seen: number[] = [];
  read(crypto.randomBytes(2 * BS + 3), { onBlock: (n) => seen.push(n) });
  expect(seen).toEqual([BS, BS, 3]);
});

it('reads a whole file by name', () => {
  const data = crypto.randomBytes(100);
  fs.writeFileSync(path.join(dir, 'named'), data);
  expect(Buffer.concat(readFileBlocks(path.join(dir, 'named'))).equals(data)).toBe(true);
});

it.each([
  [0, 10, 10],
  [95, 10, 5],
  [100, 10, 0],
  [0, 100, 100],
])('readFull at %d into %d bytes reads %d', (position, length, got) => {
  const data = crypto.randomBytes(100);
  const buf = Buffer.alloc(length);
  expect(withFile(data, (fd) => readFull(fd, buf, position))).toBe(got);
  expect(buf.subarray(0, got).equals(data.subarray(position, position + got))).toBe(true);
});

it('holds a small file in a buffer of its own size, not a 64 KiB one (-r reads thousands of them)', () => {
  const data = crypto.randomBytes(5000);
  const { blocks } = withFile(data, (fd) => readBlocks(fd));
  expect(Buffer.concat(blocks).equals(data)).toBe(true);
  expect(blocks.map((b) => b.buffer.byteLength)).toEqual([5001]);
});

it('reads on past the size it saw when the file is longer (it grew), in reads of 64 KiB at least', () => {
  const data = crypto.randomBytes(200_000);
  const file = path.join(dir, 'grown');
  fs.writeFileSync(file, data.subarray(0, 1000));
  const fd = fs.openSync(file, 'r');
  try {
    const fstat = fs.fstatSync;
    let first = true;
    // The file grows between the size looked at and the reads.
    fs.fstatSync = ((d: number) => {
      const st = fstat(d);
      if (first) fs.appendFileSync(file, data.subarray(1000));
      first = false;
      return st;
    }) as typeof fs.fstatSync;
    try {
      expect(Buffer.concat(readBlocks(fd).blocks).equals(data)).toBe(true);
    } finally {
      fs.fstatSync = fstat;
    }
  } finally {
    fs.closeSync(fd);
  }
});
