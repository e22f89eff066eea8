// crc32Combine: the CRC-32 of two pieces joined must equal zlib's CRC-32 of the joined bytes.
import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import { crc32Combine } from '../src/steps/crc32-combine.js';

const joined = (a: Buffer, b: Buffer) => crc32Combine(zlib.crc32(a), zlib.crc32(b), b.length);

it.each([
  ['two empty pieces', 0, 0],
  ['an empty second piece', 1000, 0],
  ['an empty first piece', 0, 1000],
  ['one byte each', 1, 1],
  ['odd lengths', 777, 12_345],
  ['a 1 MiB block after another', 2 ** 20, 2 ** 20],
  ['a block one byte short of a power of two', 100, 2 ** 16 - 1],
])('agrees with zlib.crc32 for %s', (_what, n1, n2) => {
  const a = crypto.randomBytes(n1);
  const b = crypto.randomBytes(n2);
  expect(joined(a, b)).toBe(zlib.crc32(Buffer.concat([a, b])));
});

it('agrees with zlib.crc32 over 200 random splits of random data', () => {
  const data = crypto.randomBytes(300_000);
  for (let i = 0; i < 200; i++) {
    const at = crypto.randomInt(data.length + 1);
    expect(joined(data.subarray(0, at), data.subarray(at))).toBe(zlib.crc32(data));
  }
});

it('folds block by block into the CRC of the whole, as a gzip trailer needs', () => {
  const data = crypto.randomBytes(5 * 65_536 + 17);
  let crc = 0;
  for (let at = 0; at < data.length; at += 65_536) {
    const block = data.subarray(at, at + 65_536);
    crc = crc32Combine(crc, zlib.crc32(block), block.length);
  }
  expect(crc).toBe(zlib.crc32(data));
});

it('handles a second piece longer than 4 GiB (lengths past 32 bits)', () => {
  // Combining is shifting the first CRC by the second's length: 2^32 + 5 bytes is 2^31, 2^31, then 5.
  const c = zlib.crc32(Buffer.from('abc'));
  const shift = (crc: number, n: number) => crc32Combine(crc, 0, n);
  expect(shift(c, 2 ** 32 + 5)).toBe(shift(shift(shift(c, 2 ** 31), 2 ** 31), 5));
  expect(shift(c, 2 ** 32 + 5)).not.toBe(shift(c, 5));
});
