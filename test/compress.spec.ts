// compressSource: round trips through the system's gzip -dc, blocks that stand alone, and the ratio against gzip's.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { chunksOf, compressSource, unwrapMember } from '../src/steps/compress.js';
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

it('gzip -dc gives back 200 blocks of 1,000 bytes', async () => {
  const data = logData(200_000);
  const { c, back } = await roundTrip(data, 6, 1000);
  expect(c.segments.length).toBe(200 + 1); // and the empty final block
  expect(back.equals(data)).toBe(true);
});

it('deflates each block on its own: every segment inflates to its block without the ones before it', async () => {
  const source = sourceOf(logData(3 * BLOCK_SIZE));
  const { segments } = await compressSource(source, { mtime: 0, level: 6 });
  source.blocks.forEach((block, i) => expect(zlib.inflateRawSync(segments[i], { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(block)).toBe(true));
});

it.each([
  ['a member ended with data in its final block', zlib.gzipSync(logData(5000)), 5000],
  ['a member of another length', zlib.gzipSync(Buffer.alloc(0)), 1],
  ['a few bytes', Buffer.from([0x1f, 0x8b, 3, 0]), 0],
])('unwrapMember refuses %s', (_what, member, length) => expect(() => unwrapMember(member, length)).toThrow(/unexpected shape/));

it('unwrapMember takes the segment and CRC-32 out of a member written with a sync flush', async () => {
  const block = logData(5000);
  const gzip = zlib.createGzip({ flush: zlib.constants.Z_SYNC_FLUSH });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  await new Promise((done) => {
    gzip.on('end', done);
    gzip.write(block, () => gzip.end());
  });
  const { segment, crc } = unwrapMember(Buffer.concat(out), block.length);
  expect(crc).toBe(zlib.crc32(block));
  expect(zlib.inflateRawSync(segment, { finishFlush: zlib.constants.Z_SYNC_FLUSH }).equals(block)).toBe(true);
});

it('refuses to make a member whose CRC-32 would not match the bytes read', async () => {
  const source = sourceOf(logData(BLOCK_SIZE));
  await expect(compressSource({ ...source, crc: source.crc ^ 1 }, { mtime: 0, level: 6 })).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
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
