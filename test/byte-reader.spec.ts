import { Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { byteReader, readAtLeast } from '../src/steps/byte-reader.js';

const reader = (...parts: string[]) => byteReader(Readable.from(parts.map((p) => Buffer.from(p))));

it('returns the chunks in order, then undefined', async () => {
  const r = reader('ab', 'cd');
  expect([String(await r.next()), String(await r.next()), await r.next()]).toEqual(['ab', 'cd', undefined]);
});
it('gives handed-back bytes first and counts the position without them', async () => {
  const r = reader('abcd', 'ef');
  const first = (await r.next())!;
  r.unshift(first.subarray(2));
  expect([r.position, String(await r.next()), String(await r.next()), r.position]).toEqual([2, 'cd', 'ef', 6]);
});
it('ignores an empty hand-back', async () => {
  const r = reader('ab');
  r.unshift(Buffer.alloc(0));
  expect(String(await r.next())).toBe('ab');
});
it('readAtLeast joins chunks until n bytes are at hand', async () => expect(String(await readAtLeast(reader('a', 'b', 'c', 'd'), 3))).toBe('abc'));
it('readAtLeast returns fewer at the end', async () => expect(String(await readAtLeast(reader('a'), 3))).toBe('a'));
it('readAtLeast starts from bytes already held', async () => expect(String(await readAtLeast(reader('cd'), 3, Buffer.from('ab')))).toBe('abcd'));
