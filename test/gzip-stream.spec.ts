import { execFileSync } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import { gzipStream } from '../src/steps/gzip-stream.js';

const text = Buffer.from(Array.from({ length: 20000 }, (_, i) => `2026-01-01 line ${i} GET /api/v1/items\n`).join(''));
async function gzipped(input: Buffer[], header = { name: 'x.log', mtime: 1_700_000_000, level: 6 }) {
  const out = new PassThrough();
  const got: Buffer[] = [];
  out.on('data', (c: Buffer) => got.push(c));
  const r = await gzipStream(Readable.from(input), out, header);
  return { ...r, gz: Buffer.concat(got) };
}

it('writes one member that gzip -dc turns back into the input, with name and mtime', async () => {
  const r = await gzipped([text.subarray(0, 1000), text.subarray(1000)]);
  expect(execFileSync('gzip', ['-dc'], { input: r.gz }).equals(text)).toBe(true);
  expect([r.size, r.crc, r.compressedBytes]).toEqual([text.length, zlib.crc32(text), r.gz.length]);
  expect(execFileSync('gzip', ['-lvN'], { input: r.gz }).toString()).toMatch(/x\.log/);
});
it('writes a valid member for empty input', async () => expect(execFileSync('gzip', ['-dc'], { input: (await gzipped([])).gz }).length).toBe(0));
it('stores no name with -n fields (mtime 0)', async () => {
  const { gz } = await gzipped([text], { mtime: 0, level: 1 } as never);
  expect([gz[3], gz.readUInt32LE(4)]).toEqual([0, 0]);
});
it('fails when the output fails', async () => {
  const out = new Writable({ write: (_c, _e, done) => done(new Error('EPIPE-like')) });
  await expect(gzipStream(Readable.from([text]), out, { mtime: 0, level: 6 })).rejects.toThrow('EPIPE-like');
});
