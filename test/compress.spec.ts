// compressSource: round trips through the system's gzip -dc, and the ratio against gzip's.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { chunksOf, compressSource } from '../src/steps/compress.js';
import { BLOCK_SIZE, readBlocks, type SourceData } from '../src/steps/read-blocks.js';
import { logData } from './e2e/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-compress-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function sourceOf(data: Buffer, blockSize = BLOCK_SIZE): SourceData {
  const file = path.join(dir, 'source');
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r');
  try {
    return readBlocks(fd, { blockSize });
  } finally {
    fs.closeSync(fd);
  }
}

/** Compresses data with our code and decompresses it with the system's gzip. */
async function roundTrip(data: Buffer, level: number, blockSize = BLOCK_SIZE) {
  const c = await compressSource(sourceOf(data, blockSize), { name: 'data.log', mtime: 1_700_000_000, level });
  const gz = Buffer.concat(chunksOf(c));
  expect(gz.length).toBe(c.size);
  fs.writeFileSync(path.join(dir, 'out.gz'), gz);
  return { c, gz, back: execFileSync('gzip', ['-dc', path.join(dir, 'out.gz')], { maxBuffer: 2 ** 30 }) };
}

const random = crypto.randomBytes(2.5 * BLOCK_SIZE);
it.each([
  ['empty input', Buffer.alloc(0)],
  ['1 byte', Buffer.from('x')],
  ['exactly one block', logData(BLOCK_SIZE)],
  ['one block and 1 byte', logData(BLOCK_SIZE + 1)],
  ['several blocks of logs', logData(3.5 * BLOCK_SIZE)],
  ['several blocks of random data', random],
])('gzip -dc gives back %s', async (_what, data) => {
  const { back } = await roundTrip(data, 6);
  expect(back.equals(data)).toBe(true);
});

it.each([1, 6, 9])('gzip -dc gives back several blocks compressed at -%d', async (level) => {
  const data = logData(2.5 * BLOCK_SIZE);
  expect((await roundTrip(data, level)).back.equals(data)).toBe(true);
});

it('gzip -dc gives back blocks smaller than the 32 KiB window', async () => {
  const data = logData(200_000);
  const { c, back } = await roundTrip(data, 6, 1000);
  expect(c.segments.length).toBe(200 + 1); // and the empty final block
  expect(back.equals(data)).toBe(true);
});

it('carries the 32 KiB window across blocks: 16 KiB blocks compress within 4% of one stream', async () => {
  const data = logData(BLOCK_SIZE);
  const { c } = await roundTrip(data, 6, 16 * 1024);
  // Each block costs a sync flush (5 bytes); without the window each would start cold, far above 4%.
  expect(c.size / zlib.gzipSync(data, { level: 6 }).length).toBeLessThan(1.04);
});

it('compresses harder at -9 than at -1', async () => {
  const data = logData(2 * BLOCK_SIZE);
  expect((await roundTrip(data, 9)).gz.length).toBeLessThan((await roundTrip(data, 1)).gz.length);
});

it('is within 0.5% of gzip -6 on logs', async () => {
  const data = logData(4 * BLOCK_SIZE);
  const { gz } = await roundTrip(data, 6);
  const theirs = execFileSync('gzip', ['-6', '-c', path.join(dir, 'source')], { maxBuffer: 2 ** 30 });
  expect(gz.length / theirs.length).toBeLessThan(1.005);
});

it('reports each block as it is compressed', async () => {
  const seen: number[] = [];
  await compressSource(sourceOf(logData(2.5 * BLOCK_SIZE)), { mtime: 0, level: 1 }, (n) => seen.push(n));
  expect(seen.sort()).toEqual([BLOCK_SIZE, BLOCK_SIZE, BLOCK_SIZE / 2].sort());
});
