// Decompresses a gzip stream member by member, as GNU gzip does: each member's CRC-32 and length checked,
// trailing zeros ignored, trailing garbage reported (or, as gzip -cdf, data that is not gzip copied through);
// output streamed with backpressure, so memory stays at a few chunks whatever the size. compress's .Z and
// pack's .z are decoded too, as gzip does, with their compressed bytes held whole in memory.
import type { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { CmemError } from '../errors.js';
import { readAtLeast, type ByteReader } from './byte-reader.js';
import { crc32Combine } from './crc32-combine.js';
import { crc32, FORMAT_NAMES, otherFormat, parseGzipHeader, type OtherFormat } from './gzip-format.js';
import { unlzw } from './unlzw.js';
import { unpack } from './unpack.js';

export interface Member {
  /** Offset of the member's first byte in the input. */
  offset: number;
  headerLength: number;
  name?: string;
  mtime: number;
  size: number;
  crc: number;
  /** Set when the member is not gzip but an older format gzip also reads (then the whole input). */
  format?: OtherFormat;
}

export interface Gunzipped {
  members: Member[];
  /** Content length and CRC-32 over all members. */
  size: number;
  crc: number;
  /** Bytes of input read, trailing data included. */
  inputBytes: number;
  /** What followed the last member: zeros are padding (tapes, block devices); anything else is garbage (copied with passThrough). */
  trailing: 'none' | 'zeros' | 'garbage' | 'copied';
}

/** gzip's warning (exit 2) for what followed the last member: garbage always, zeros only with -v. */
export function trailingWarning(file: string, trailing: Gunzipped['trailing'], verbose: boolean): { code: string; message: string } | undefined {
  if (trailing === 'garbage') return { code: 'TRAILING_GARBAGE', message: `${file}: decompression OK, trailing garbage ignored` };
  if (trailing === 'zeros' && verbose) return { code: 'TRAILING_ZEROS', message: `${file}: decompression OK, trailing zero bytes ignored` };
  return undefined;
}

const TRAILER = 8;
/** A header longer than this (FEXTRA, FNAME, FCOMMENT) is not one gzip would have written. */
const MAX_HEADER = 1024 * 1024;

const bad = (message: string) => new CmemError('BAD_GZIP', message, 'the file is damaged or not gzip; it was left as it is');
const TRUNCATED = 'unexpected end of file';

/** gzip's own messages for zlib's complaints, so that operators recognise them. */
function describeInflateError(err: NodeJS.ErrnoException): string {
  if (err.code === 'Z_BUF_ERROR') return TRUNCATED;
  return `invalid compressed data--format violated (${err.message})`;
}

async function readHeader(reader: ByteReader, start: Buffer): Promise<{ header: ReturnType<typeof parseGzipHeader>; rest: Buffer }> {
  let buf = await readAtLeast(reader, 10, start);
  for (;;) {
    if (buf.length < 10) throw bad(TRUNCATED);
    try {
      const header = parseGzipHeader(buf);
      return { header, rest: buf.subarray(header.length) };
    } catch (err) {
      const message = (err as Error).message;
      if (message !== 'truncated gzip header') throw bad(message);
      if (buf.length > MAX_HEADER) throw bad('gzip header longer than 1 MiB');
      const more = await readAtLeast(reader, buf.length + 1, buf);
      if (more.length === buf.length) throw bad(TRUNCATED);
      buf = more;
    }
  }
}

function writeOut(out: Writable, chunk: Buffer): Promise<void> | undefined {
  if (out.write(chunk)) return undefined;
  return new Promise((resolve) => out.once('drain', resolve));
}

/** Inflates one member's deflate data from reader (starting with `start`) into out; leaves the reader just past it. */
async function inflateMember(
  reader: ByteReader,
  start: Buffer,
  out: Writable | undefined,
): Promise<{ size: number; crc: number }> {
  const inflate = zlib.createInflateRaw({ chunkSize: 64 * 1024 });
  let size = 0;
  let crc = 0;
  let onOutError: (err: Error) => void = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      crc = crc32(chunk, crc);
      const wait = out && writeOut(out, chunk);
      if (wait) {
        inflate.pause();
        void wait.then(() => inflate.resume());
      }
    });
    inflate.once('end', resolve);
    inflate.once('error', (err: NodeJS.ErrnoException) => reject(bad(describeInflateError(err))));
    onOutError = reject;
    out?.on('error', onOutError);
  });
  ended.catch(() => {});
  try {
    let fed = 0;
    for (let chunk: Buffer | undefined = start; chunk; chunk = await reader.next()) {
      if (chunk.length === 0) continue;
      fed += chunk.length;
      const written = new Promise<void>((resolve, reject) => inflate.write(chunk, (err) => (err ? reject(err) : resolve())));
      await Promise.race([written, ended]);
      // zlib stops taking input at the end of the deflate data: what it left is the next member's.
      if (inflate.bytesWritten < fed) {
        reader.unshift(chunk.subarray(chunk.length - (fed - inflate.bytesWritten)));
        break;
      }
    }
    inflate.end();
    await ended;
  } finally {
    inflate.destroy();
    out?.off('error', onOutError);
  }
  return { size, crc };
}

/**
 * All of reader's members into out (or nowhere, to test or measure). Throws BAD_GZIP, naming `label`, on any damage.
 * With passThrough (gzip -cdf, zcat -f), what is not gzip, from the start or after a member, is copied to out unchanged.
 */
export async function gunzipMembers(reader: ByteReader, out?: Writable, label?: string, passThrough = false): Promise<Gunzipped> {
  try {
    return await walkMembers(reader, out, passThrough);
  } catch (err) {
    if (!label || !(err instanceof CmemError) || err.code !== 'BAD_GZIP') throw err;
    throw new CmemError(err.code, `${label}: ${err.message}`, err.hint);
  }
}

/** gzip's decoders for the older formats; LZH (SCO compress -H, never seen on Linux servers) is left to gzip. */
const DECODERS: Partial<Record<OtherFormat, (input: Buffer) => Generator<Buffer>>> = { lzw: unlzw, pack: unpack };

/** Decodes the rest of the input as one stream of an older format (as gzip, nothing is read after it), held whole in memory. */
async function decodeOther(reader: ByteReader, first: Buffer, format: OtherFormat, out: Writable | undefined): Promise<{ size: number; crc: number }> {
  const decode = DECODERS[format];
  if (!decode)
    throw new CmemError('BAD_GZIP', `${FORMAT_NAMES[format]} data, not gzip: cmemgzip does not decode it`, 'decompress it with gzip -d; it was left as it is');
  const parts = [first];
  for (let chunk = await reader.next(); chunk; chunk = await reader.next()) parts.push(chunk);
  let size = 0;
  let crc = 0;
  try {
    for (const chunk of decode(Buffer.concat(parts))) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      if (out) await writeOut(out, chunk);
    }
  } catch (err) {
    throw bad(`${FORMAT_NAMES[format]} data: ${(err as Error).message}`);
  }
  return { size, crc };
}

async function walkMembers(reader: ByteReader, out: Writable | undefined, passThrough: boolean): Promise<Gunzipped> {
  const members: Member[] = [];
  let size = 0;
  let crc = 0;
  let trailing: Gunzipped['trailing'] = 'none';
  for (;;) {
    const offset = reader.position;
    const next = await readAtLeast(reader, 2);
    if (next.length === 0) {
      if (members.length === 0 && !passThrough) throw bad(TRUNCATED);
      break;
    }
    const format = otherFormat(next);
    if (format) {
      const decoded = await decodeOther(reader, next, format, out);
      members.push({ offset, headerLength: 0, mtime: 0, format, ...decoded });
      size += decoded.size;
      crc = crc32Combine(crc, decoded.crc, decoded.size);
      break;
    }
    const isGzip = next[0] === 0x1f && next[1] === 0x8b;
    if (passThrough && !isGzip) {
      const copied = await copyRest(reader, next, out);
      size += copied.size;
      crc = crc32Combine(crc, copied.crc, copied.size);
      trailing = members.length > 0 ? 'copied' : 'none';
      break;
    }
    // As gzip: one byte that is not zero is read as a member cut short after its first byte.
    if (members.length > 0 && next.length === 1 && next[0] !== 0) throw bad(TRUNCATED);
    if (members.length > 0 && !isGzip) {
      trailing = (await onlyZeros(reader, next)) ? 'zeros' : 'garbage';
      break;
    }
    if (next.length < 2) throw bad(next[0] === 0x1f ? TRUNCATED : 'not in gzip format');
    if (next[0] !== 0x1f || next[1] !== 0x8b) throw bad('not in gzip format');
    const { header, rest } = await readHeader(reader, next);
    const member = await inflateMember(reader, rest, out);
    const trailer = await readAtLeast(reader, TRAILER);
    if (trailer.length < TRAILER) throw bad(TRUNCATED);
    reader.unshift(trailer.subarray(TRAILER));
    if (trailer.readUInt32LE(0) !== member.crc >>> 0) throw bad('invalid compressed data--crc error');
    if (trailer.readUInt32LE(4) !== member.size % 2 ** 32) throw bad('invalid compressed data--length error');
    members.push({ offset, headerLength: header.length, name: header.name, mtime: header.mtime, ...member });
    size += member.size;
    crc = crc32Combine(crc, member.crc, member.size);
  }
  return { members, size, crc, inputBytes: reader.position, trailing };
}

/** Copies `first` and the rest of reader to out unchanged; returns their length and CRC-32, as a member's. */
async function copyRest(reader: ByteReader, first: Buffer, out: Writable | undefined): Promise<{ size: number; crc: number }> {
  let size = 0;
  let crc = 0;
  for (let chunk: Buffer | undefined = first; chunk; chunk = await reader.next()) {
    size += chunk.length;
    crc = crc32(chunk, crc);
    if (out && chunk.length) await writeOut(out, chunk);
  }
  return { size, crc };
}

/** True when every byte from `first` to the end is zero; stops at the first that is not. */
async function onlyZeros(reader: ByteReader, first: Buffer): Promise<boolean> {
  for (let chunk: Buffer | undefined = first; chunk; chunk = await reader.next()) if (chunk.some((b) => b !== 0)) return false;
  return true;
}
