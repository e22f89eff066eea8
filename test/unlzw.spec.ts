// unlzw: compress's .Z data (ncompress itself, at several widths) decoded byte for byte, and refused where gzip refuses it.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { unlzw } from '../src/steps/unlzw.js';

const decoded = (z: Buffer) => Buffer.concat([...unlzw(z)]);
const hasCompress = spawnSync('compress', ['-V']).error === undefined;
if (!hasCompress) console.warn('\n!!!!!!!!!! ncompress is not installed: unlzw against compress(1) is SKIPPED (apt-get install -y ncompress) !!!!!!!!!!\n');
const compress = (data: Buffer, ...args: string[]) => execFileSync('compress', ['-c', '-f', ...args], { input: data, maxBuffer: 64 * 2 ** 20 });

const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i % 977} status ${i % 13}\n`).join(''));
// Random bytes fill the table fast and compress badly: block mode then CLEARs, widths change many times.
const noise = Buffer.concat([crypto.randomBytes(300_000), text, crypto.randomBytes(200_000)]);

describe.skipIf(!hasCompress)('against compress(1)', () => {
  it.each([10, 12, 14, 16])('decodes -b %d data, text and noise', (bits) => {
    for (const data of [text, noise]) expect(decoded(compress(data, `-b${bits}`)).equals(data)).toBe(true);
  });
  // gzip 1.12's unlzw.c fails on these two of ncompress 4.2's outputs (-C from the first codes on); so does a faithful copy.
  it.each([['-b9'], ['-C']])('fails where gzip -d fails too: noise compressed with %s', (flag) => {
    const z = compress(noise, flag);
    expect(spawnSync('gzip', ['-dc'], { input: z, maxBuffer: 64 * 2 ** 20 }).stderr.toString()).toMatch(/corrupt input/);
    expect(() => decoded(z)).toThrow(/corrupt input/);
  });
  it.each([1, 2, 3, 255, 256, 257, 70_000])('decodes %d bytes of one repeated byte (KwKwK codes)', (n) => {
    const data = Buffer.alloc(n, 0x61);
    expect(decoded(compress(data)).equals(data)).toBe(true);
  });
});

it("decodes gzip's helin-segv vector to two NULs", () => expect(decoded(Buffer.from('1f9d90000000c4', 'hex'))).toEqual(Buffer.from([0, 0])));
it('decodes a header alone to nothing', () => expect(decoded(Buffer.from('1f9d90', 'hex')).length).toBe(0));
it.each([
  ['a first code above 255', '1f9d90ffff', /corrupt input/],
  ['a code beyond the next free one', '1f9d90410410ffff', /corrupt input/],
  ['more than 16 bits', '1f9d91', /compressed with 17 bits, can only handle 16 bits/],
  ['reserved flags', '1f9df0', /unknown flags 0x60/],
  ['no flags byte', '1f9d', /unexpected end of file/],
])('refuses %s', (_what, hex, message) => expect(() => decoded(Buffer.from(hex, 'hex'))).toThrow(message));
