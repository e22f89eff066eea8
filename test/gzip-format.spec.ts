// Header and trailer bytes against the system gzip's, and header parsing of every optional field.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { crc32, gzipHeader, gzipTrailer, otherFormat, parseGzipHeader } from '../src/steps/gzip-format.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-gzip-format-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const MTIME = 1_700_000_000;
const file = path.join(dir, 'app.log');
fs.writeFileSync(file, 'hello\n');
fs.utimesSync(file, MTIME, MTIME);
/** The system's gzip output for file, with the given flags. */
const gzip = (...flags: string[]) => execFileSync('gzip', ['-c', ...flags, file]);

it.each([1, 6, 9])('writes the header gzip -%d writes for the same file', (level) => {
  const ours = gzipHeader({ name: 'app.log', mtime: MTIME, level });
  expect(ours).toEqual(gzip(`-${level}`).subarray(0, ours.length));
});

it('writes the header gzip -n writes when there is no name and no mtime', () =>
  expect(gzipHeader({ mtime: 0, level: 6 })).toEqual(gzip('-n').subarray(0, 10)));

it.each([
  ['FNAME set with a name', { name: 'a', mtime: 0, level: 6 }, 3, 0x08],
  ['FNAME clear without one', { mtime: 0, level: 6 }, 3, 0],
  ['XFL 4 at -1', { mtime: 0, level: 1 }, 8, 4],
  ['XFL 2 at -9', { mtime: 0, level: 9 }, 8, 2],
  ['XFL 0 at -5', { mtime: 0, level: 5 }, 8, 0],
  ['OS 3 (Unix)', { mtime: 0, level: 6 }, 9, 3],
])('header has %s', (_what, fields, offset, value) => expect(gzipHeader(fields)[offset]).toBe(value));

it.each([
  [MTIME, MTIME],
  [MTIME + 0.75, MTIME],
  [0, 0],
  [-5, 0],
  [2 ** 32, 0],
])('stores mtime %d as %d', (mtime, stored) => expect(gzipHeader({ mtime, level: 6 }).readUInt32LE(4)).toBe(stored));

it('ends the name with a NUL and writes it as UTF-8', () =>
  expect(gzipHeader({ name: 'jörg.log', mtime: 0, level: 6 }).subarray(10)).toEqual(Buffer.from('jörg.log\0')));

it('a name that is not UTF-8 goes in as its bytes (as gzip stores it) and comes out as the same name', () => {
  const header = gzipHeader({ name: 'caf\udce9.log', mtime: 0, level: 6 });
  expect(header.subarray(10)).toEqual(Buffer.from('caf\xe9.log\0', 'latin1'));
  expect(parseGzipHeader(header).name).toBe('caf\udce9.log');
});

it.each([
  [0x12345678, 5, '78563412' + '05000000'],
  [0xffffffff, 2 ** 32 + 7, 'ffffffff' + '07000000'],
  [-1, 0, 'ffffffff' + '00000000'],
  [0, 0x12345678, '00000000' + '78563412'],
  [0, 2 ** 33 + 0x10001, '00000000' + '01000100'],
])('trailer of crc %d and size %d is %s (little-endian, size mod 2^32)', (crc, size, hex) =>
  expect(gzipTrailer(crc, size).toString('hex')).toBe(hex));

it('writes the trailer gzip writes', () => {
  const gz = gzip();
  expect(gzipTrailer(crc32(Buffer.from('hello\n')), 6)).toEqual(gz.subarray(gz.length - 8));
});

it('chains crc32 like one pass over the whole', () =>
  expect(crc32(Buffer.from('world'), crc32(Buffer.from('hello ')))).toBe(zlib.crc32('hello world')));

it.each([
  ['our own header', gzipHeader({ name: 'app.log', mtime: MTIME, level: 9 }), { length: 18, name: 'app.log', mtime: MTIME }],
  ['gzip -c FILE', gzip(), { length: 18, name: 'app.log', mtime: MTIME }],
  ['gzip -n -c FILE', gzip('-n'), { length: 10, name: undefined, mtime: 0 }],
])('parses %s', (_what, buf, parsed) => expect(parseGzipHeader(buf)).toEqual(parsed));

/** A header with optional fields (RFC 1952 section 2.3), followed by a deflated "hi"; `hcrc` is replaced by the real header CRC. */
function crafted(flags: number, fields: Buffer[]): Buffer {
  const fixed = Buffer.from([0x1f, 0x8b, 8, flags, 1, 0, 0, 0, 0, 3]);
  const header = fields.reduce((sofar, f) => Buffer.concat([sofar, f === hcrc ? headerCrc(sofar) : f]), fixed);
  return Buffer.concat([header, zlib.deflateRawSync('hi')]);
}
/** FHCRC: the low 16 bits of the CRC-32 of the header bytes before it, little-endian. */
const headerCrc = (before: Buffer) => {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(zlib.crc32(before) & 0xffff);
  return out;
};
const extra = Buffer.from([4, 0, 0x41, 0x42, 0, 0]); // XLEN 4: a subfield "AB" with no data
const name = Buffer.from('n.log\0');
const comment = Buffer.from('a comment\0');
const hcrc = Buffer.alloc(2);

it.each([
  ['FEXTRA', 0x04, [extra], undefined],
  ['FCOMMENT', 0x10, [comment], undefined],
  ['FHCRC', 0x02, [hcrc], undefined],
  ['FEXTRA FNAME', 0x0c, [extra, name], 'n.log'],
  ['FNAME FCOMMENT', 0x18, [name, comment], 'n.log'],
  ['all four', 0x1e, [extra, name, comment, hcrc], 'n.log'],
])('parses a header with %s and finds where the deflate data starts', (_what, flags, fields, expectedName) => {
  const buf = crafted(flags, fields);
  const h = parseGzipHeader(buf);
  expect(h).toEqual({ length: 10 + Buffer.concat(fields).length, name: expectedName, mtime: 1 });
  expect(zlib.inflateRawSync(buf.subarray(h.length)).toString()).toBe('hi');
});

it.each([
  ['bad magic', Buffer.from('PK\x03\x04 not gzip at all', 'latin1'), /not in gzip format/],
  ['too short', Buffer.from([0x1f, 0x8b, 8]), /not in gzip format/],
  ['empty', Buffer.alloc(0), /not in gzip format/],
  ['method 7', Buffer.from([0x1f, 0x8b, 7, 0, 0, 0, 0, 0, 0, 3]), /unknown compression method 7/],
])('refuses %s', (_what, buf, message) => expect(() => parseGzipHeader(buf)).toThrow(message));

it('refuses a header whose FHCRC does not match, with both values, as gzip -t does', () => {
  const buf = crafted(0x0a, [name, hcrc]);
  buf[10] ^= 1; // the name's first byte: the stored CRC no longer matches
  const computed = (zlib.crc32(buf.subarray(0, 16)) & 0xffff).toString(16);
  expect(() => parseGzipHeader(buf)).toThrow(`header checksum 0x${buf.readUInt16LE(16).toString(16)} != computed checksum 0x${computed}`);
});

it.each([
  [0x20, /encrypted -- not supported/],
  [0x40, /has flags 0x40 -- not supported/],
  [0x88, /has flags 0x88 -- not supported/],
])('refuses reserved flag bits 0x%s as gzip -t does', (flags, message) => expect(() => parseGzipHeader(crafted(flags, flags & 0x08 ? [name] : []))).toThrow(message));

it.each([
  ['1f9d90', 'lzw'],
  ['1f1e00', 'pack'],
  ['1fa000', 'lzh'],
  ['1f8b08', undefined],
  ['1f', undefined],
  ['', undefined],
])('names the older format of data starting %s', (hex, format) => expect(otherFormat(Buffer.from(hex, 'hex'))).toBe(format));

it('refuses every truncation of a header with all optional fields', () => {
  const full = crafted(0x1e, [extra, name, comment, hcrc]);
  const headerLength = 10 + extra.length + name.length + comment.length + hcrc.length;
  for (let n = 10; n < headerLength; n++) expect(() => parseGzipHeader(full.subarray(0, n)), `cut at ${n}`).toThrow(/truncated/);
  expect(parseGzipHeader(full.subarray(0, headerLength)).length).toBe(headerLength);
});
