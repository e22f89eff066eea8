// unpack: pack's .z data (made by a small packer here, checked by gzip -d too) decoded byte for byte, and bad trees refused.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { expect, it } from 'vitest';
import { unpack } from '../src/steps/unpack.js';

const decoded = (z: Buffer) => Buffer.concat([...unpack(z)]);

/** pack(1)'s format: Huffman lengths (the end code, least frequent, among the longest), canonical codes, MSB first. */
function pack(data: Buffer): Buffer {
  const freq = new Map<number, number>();
  for (const b of data) freq.set(b, (freq.get(b) ?? 0) + 1);
  const EOB = 256;
  type Node = { w: number; syms: number[] };
  let heap: Node[] = [...freq].map(([b, w]) => ({ w, syms: [b] })).concat({ w: 0, syms: [EOB] });
  const depth = new Map<number, number>();
  while (heap.length > 1) {
    heap.sort((a, b) => a.w - b.w);
    const [x, y] = heap.splice(0, 2);
    for (const s of [...x.syms, ...y.syms]) depth.set(s, (depth.get(s) ?? 0) + 1);
    heap = heap.concat({ w: x.w + y.w, syms: [...x.syms, ...y.syms] });
  }
  const maxLen = depth.get(EOB)!;
  const byLen: number[][] = Array.from({ length: maxLen + 1 }, () => []);
  for (const [s, d] of depth) if (s !== EOB) byLen[d].push(s);
  byLen.forEach((l) => l.sort((a, b) => a - b));
  byLen[maxLen].push(EOB);
  const parents = new Array<number>(maxLen + 1).fill(0);
  for (let len = maxLen; len > 1; len--) parents[len - 1] = (parents[len] + byLen[len].length) / 2;
  const code = new Map<number, [number, number]>();
  for (let len = 1; len <= maxLen; len++) byLen[len].forEach((s, i) => code.set(s, [parents[len] + i, len]));
  const head = [0x1f, 0x1e, ...[24, 16, 8, 0].map((k) => (data.length >>> k) & 255), maxLen];
  for (let len = 1; len <= maxLen; len++) head.push(len === maxLen ? byLen[len].length - 2 : byLen[len].length);
  for (let len = 1; len <= maxLen; len++) head.push(...byLen[len].filter((s) => s !== EOB));
  const bits: number[] = [];
  for (const s of [...data, EOB]) {
    const [c, len] = code.get(s)!;
    for (let k = len - 1; k >= 0; k--) bits.push((c >> k) & 1);
  }
  const body = Buffer.alloc(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (body[i >> 3] |= b << (7 - (i & 7))));
  return Buffer.concat([Buffer.from(head), body]);
}

const text = Buffer.from(Array.from({ length: 20_000 }, (_, i) => `line ${i % 977} status ${i % 13}\n`).join(''));

it("decodes gzip's unpack-valid vector to banana", () => expect(decoded(Buffer.from('1f1e000000060301010061 6e6216c8'.replace(' ', ''), 'hex')).toString()).toBe('banana'));

it.each([
  ['text', text],
  ['every byte value', crypto.randomBytes(100_000)],
  ['two symbols', Buffer.from('abababababbbbbbba')],
  ['skewed text, long codes', Buffer.concat([Buffer.alloc(50_000, 0x20), Buffer.from('the rare ones: qzxjkv QZXJKV 0123456789')])],
])('decodes %s packed, as gzip -d does', (_what, data) => {
  const z = pack(data);
  expect(execFileSync('gzip', ['-dc'], { input: z, maxBuffer: 64 * 2 ** 20 }).equals(data), 'gzip reads the packer\'s output').toBe(true);
  expect(decoded(z).equals(data)).toBe(true);
});

it.each([
  ['a bit length of 0', '1f1e0000000600', /bit length out of range/],
  ['a bit length over 25', '1f1e000000061a', /bit length out of range/],
  ['too many leaves', '1f1e000000060203', /too many leaves/],
  ['too few leaves', '1f1e0000000602000041', /too few leaves/],
  ['a cut tree', '1f1e0000000603010100', /unexpected end of file/],
  ['a cut body', '1f1e0000000603010100616e6216', /unexpected end of file/],
  ['a wrong length', '1f1e000000070301010061 6e6216c8'.replace(' ', ''), /length error/],
])('refuses %s', (_what, hex, message) => expect(() => decoded(Buffer.from(hex, 'hex'))).toThrow(message));
