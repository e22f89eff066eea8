// verifyWritten: accepts what was written, rejects any damage to it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { chunksOf, compressSource, type Compressed } from '../src/steps/compress.js';
import { readBlocks, type SourceData } from '../src/steps/read-blocks.js';
import { verifyWritten } from '../src/steps/verify.js';
import { logData } from './e2e/helpers.js';

const BLOCK = 64 * 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-verify-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sourceOf(data: Buffer): SourceData {
  const file = path.join(dir, 'source');
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r');
  try {
    return readBlocks(fd, { blockSize: BLOCK });
  } finally {
    fs.closeSync(fd);
  }
}

const data = logData(5 * BLOCK + 123);
let source: SourceData;
let c: Compressed;
let gz: Buffer;
beforeAll(async () => {
  source = sourceOf(data);
  c = await compressSource(source, { name: 'a.log', mtime: 1, level: 6 });
  gz = Buffer.concat(chunksOf(c));
});

/** Writes bytes to a fresh file and verifies it against what was compressed. */
function verify(bytes: Buffer, against = source, expected = c): Promise<void> {
  const file = path.join(dir, `${Math.random()}.gz`);
  fs.writeFileSync(file, bytes);
  return verifyWritten(file, expected, against);
}
const flipped = (at: number) => {
  const copy = Buffer.from(gz);
  copy[at] ^= 0x01;
  return copy;
};
const middleOfSegment = (i: number) => c.header.length + c.segments.slice(0, i).reduce((n, s) => n + s.length, 0) + (c.segments[i].length >> 1);

it('accepts exactly what was written', async () => {
  expect(c.segments.length).toBe(6 + 1); // and the empty final block
  await expect(verify(gz)).resolves.toBeUndefined();
});

it('accepts an empty member', async () => {
  const empty = sourceOf(Buffer.alloc(0));
  const e = await compressSource(empty, { mtime: 0, level: 6 });
  await expect(verify(Buffer.concat(chunksOf(e)), empty, e)).resolves.toBeUndefined();
});

it.each([
  ['a flipped byte in a middle segment', () => flipped(middleOfSegment(3)), /block 3/],
  ['a flipped byte in the last segment', () => flipped(middleOfSegment(5)), /block 5/],
  ['the final block without its BFINAL bit', () => flipped(middleOfSegment(6) - 1), /block 6/],
  ['a flipped byte in the header', () => flipped(4), /header differs/],
  ['a wrong CRC in the trailer', () => flipped(gz.length - 8), /trailer/],
  ['a wrong length in the trailer', () => flipped(gz.length - 1), /trailer/],
  ['a truncated file', () => gz.subarray(0, gz.length - 1), /size is/],
  ['a file cut in half', () => gz.subarray(0, gz.length >> 1), /size is/],
  ['an extra byte at the end', () => Buffer.concat([gz, Buffer.from([0])]), /size is/],
  ['an empty file', () => Buffer.alloc(0), /size is/],
])('rejects %s', async (_what, bytes, why) => {
  await expect(verify(bytes())).rejects.toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(why) });
});

it('rejects a file that does not decompress to the bytes that were read', async () => {
  const other = Buffer.from(data);
  other[2 * BLOCK + 7] ^= 0x20;
  await expect(verify(gz, sourceOf(other))).rejects.toMatchObject({ code: 'VERIFY_FAILED', message: expect.stringMatching(/block 2/) });
});
