// The gzip member header and trailer (RFC 1952): name and mtime in, as gzip -N reads them back.
import zlib from 'node:zlib';
import { decode, encode } from '../fs/raw-names.js';

const FNAME = 0x08;
const OS_UNIX = 3;

export interface HeaderFields {
  /** Base name of the original file; written as FNAME so that gunzip -N restores it. */
  name?: string;
  /** Seconds since the epoch; 0 when unknown or beyond 32 bits, as gzip does. */
  mtime: number;
  level: number;
}

export function gzipHeader({ name, mtime, level }: HeaderFields): Buffer {
  const fixed = Buffer.alloc(10);
  fixed[0] = 0x1f;
  fixed[1] = 0x8b;
  fixed[2] = 8; // deflate
  fixed[3] = name ? FNAME : 0;
  fixed.writeUInt32LE(mtime > 0 && mtime < 2 ** 32 ? Math.floor(mtime) : 0, 4);
  fixed[8] = level === 9 ? 2 : level === 1 ? 4 : 0; // XFL, as gzip sets it
  fixed[9] = OS_UNIX;
  return name ? Buffer.concat([fixed, encode(name), Buffer.from([0])]) : fixed;
}

export function gzipTrailer(crc: number, size: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeUInt32LE(crc >>> 0, 0);
  out.writeUInt32LE(size % 2 ** 32, 4);
  return out;
}

export interface ParsedHeader {
  length: number;
  name?: string;
  mtime: number;
}

const FHCRC = 0x02;
const ENCRYPTED = 0x20;
const RESERVED = 0xc0;

export type OtherFormat = 'lzw' | 'pack' | 'lzh';

/** The older formats gzip -d also reads, by the second magic byte after 0x1f. */
const OTHER_FORMATS: Record<number, OtherFormat> = { 0x9d: 'lzw', 0x1e: 'pack', 0xa0: 'lzh' };

/** How messages name them, so that the operator knows what the file is. */
export const FORMAT_NAMES: Record<OtherFormat, string> = { lzw: 'compress (LZW, .Z)', pack: 'pack (.z)', lzh: 'LZH (SCO compress -H)' };

/** Which of gzip's older formats a stream starting with these bytes is, if any. */
export function otherFormat(start: Buffer): OtherFormat | undefined {
  return start.length >= 2 && start[0] === 0x1f ? OTHER_FORMATS[start[1]] : undefined;
}

/** Parses one member header; throws on anything that is not gzip, and on what gzip -t rejects (flags, header CRC). */
export function parseGzipHeader(buf: Buffer): ParsedHeader {
  if (buf.length < 10 || buf[0] !== 0x1f || buf[1] !== 0x8b) throw new Error('not in gzip format');
  if (buf[2] !== 8) throw new Error(`unknown compression method ${buf[2]}`);
  const flags = buf[3];
  if (flags & ENCRYPTED) throw new Error('encrypted -- not supported (flag bit 0x20 is reserved)');
  if (flags & RESERVED) throw new Error(`has flags 0x${flags.toString(16)} -- not supported (bits 0xc0 are reserved)`);
  let pos = 10;
  if (flags & 0x04) {
    if (pos + 2 > buf.length) throw new Error('truncated gzip header');
    pos += 2 + buf.readUInt16LE(pos); // FEXTRA
  }
  let name: string | undefined;
  for (const flag of [FNAME, 0x10]) {
    if (!(flags & flag)) continue;
    const end = buf.indexOf(0, pos);
    if (end < 0) throw new Error('truncated gzip header');
    if (flag === FNAME) name = decode(buf.subarray(pos, end));
    pos = end + 1;
  }
  if (flags & FHCRC) {
    if (pos + 2 > buf.length) throw new Error('truncated gzip header');
    const stored = buf.readUInt16LE(pos);
    const computed = crc32(buf.subarray(0, pos)) & 0xffff;
    if (stored !== computed) throw new Error(`header checksum 0x${stored.toString(16)} != computed checksum 0x${computed.toString(16)}`);
    pos += 2;
  }
  if (pos > buf.length) throw new Error('truncated gzip header');
  return { length: pos, name, mtime: buf.readUInt32LE(4) };
}

export const crc32 = (data: Buffer, value = 0): number => zlib.crc32(data, value);
