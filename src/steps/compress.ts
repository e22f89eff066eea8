// Compresses blocks in parallel into one gzip member, pigz-style: each block is raw-deflated on
// the thread pool with the previous 32 KiB as its dictionary and sync-flushed, so the pieces
// concatenate into a single deflate stream that any gzip reader (and gzip -l) handles.
import zlib from 'node:zlib';
import { gzipHeader, gzipTrailer, type HeaderFields } from './gzip-format.js';
import { CORES, mapLimit } from './parallel.js';
import type { SourceData } from './read-blocks.js';

export const WINDOW = 32 * 1024;

export interface Compressed {
  header: Buffer;
  /** One raw deflate piece per source block; only the last carries the final-block bit. */
  segments: Buffer[];
  trailer: Buffer;
  size: number;
}

/** The dictionary block i was compressed with: the last 32 KiB before it. */
export function dictionaryFor(blocks: readonly Buffer[], i: number): Buffer | undefined {
  if (i === 0) return undefined;
  const prev = blocks[i - 1];
  return prev.length >= WINDOW ? prev.subarray(prev.length - WINDOW) : prev;
}

function deflateBlock(block: Buffer, level: number, dictionary: Buffer | undefined, last: boolean): Promise<Buffer> {
  const finishFlush = last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH;
  return new Promise((resolve, reject) =>
    zlib.deflateRaw(block, { level, dictionary, finishFlush }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

export async function compressSource(
  source: SourceData,
  header: HeaderFields,
  onBlock: (bytes: number) => void = () => {},
): Promise<Compressed> {
  const { blocks } = source;
  const segments =
    blocks.length === 0
      ? [zlib.deflateRawSync(Buffer.alloc(0), { level: header.level })]
      : // Each zlib stream holds ~300 KiB of state from its creation: start only as many as the pool runs.
        await mapLimit(blocks, CORES * 2, async (block, i) => {
          const out = await deflateBlock(block, header.level, dictionaryFor(blocks, i), i === blocks.length - 1);
          onBlock(block.length);
          return out;
        });
  const head = gzipHeader(header);
  const trailer = gzipTrailer(source.crc, source.size);
  const size = head.length + segments.reduce((n, s) => n + s.length, 0) + trailer.length;
  return { header: head, segments, trailer, size };
}

/** The member as the list of buffers it is written from (no concatenation). */
export const chunksOf = (c: Compressed): Buffer[] => [c.header, ...c.segments, c.trailer];
