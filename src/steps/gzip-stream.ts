// Compresses a stream into one gzip member on another stream (for -c): header, deflate, trailer,
// with backpressure, so memory stays at a few chunks whatever the input's size.
import { once } from 'node:events';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { crc32, gzipHeader, gzipTrailer, type HeaderFields } from './gzip-format.js';

export interface Streamed {
  size: number;
  crc: number;
  compressedBytes: number;
}

export async function gzipStream(input: Readable, out: Writable, header: HeaderFields): Promise<Streamed> {
  let size = 0;
  let crc = 0;
  const head = gzipHeader(header);
  let compressedBytes = head.length;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      done(null, chunk);
    },
  });
  const deflate = zlib.createDeflateRaw({ level: header.level });
  deflate.on('data', (chunk: Buffer) => (compressedBytes += chunk.length));
  let onOutError: (err: Error) => void = () => {};
  const outFailed = new Promise<never>((_, reject) => out.on('error', (onOutError = reject)));
  out.write(head);
  deflate.pipe(out, { end: false });
  try {
    await Promise.race([Promise.all([pipeline(input, tap, deflate), once(deflate, 'end')]), outFailed]);
  } finally {
    out.off('error', onOutError);
  }
  const trailer = gzipTrailer(crc, size);
  out.write(trailer);
  return { size, crc, compressedBytes: compressedBytes + trailer.length };
}
