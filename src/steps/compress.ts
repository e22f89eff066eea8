// Compresses blocks in parallel into one gzip member, pigz-style: each block is raw-deflated on
// the thread pool with the previous 32 KiB as its dictionary and sync-flushed, so the pieces
// concatenate into a single deflate stream that any gzip reader (and gzip -l) handles.
import zlib from 'node:zlib';
import { gzipHeader, gzipTrailer, type HeaderFields } from './gzip-format.js';
import { CORES } from './parallel.js';
import { collector, readEachBlock, type ReadRange, type SourceData } from './read-blocks.js';

export const WINDOW = 32 * 1024;

/** An empty final block (BFINAL, fixed Huffman): ends the stream after the sync-flushed blocks. */
export const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/** Each zlib stream holds ~300 KiB of state from its creation: start only as many as the pool runs. */
const IN_FLIGHT = CORES * 2;

export interface Compressed {
  header: Buffer;
  /** One raw deflate piece per source block, sync-flushed, then FINAL_BLOCK. */
  segments: Buffer[];
  trailer: Buffer;
  size: number;
}

/** The last 32 KiB of a block: the next block's dictionary. */
export const tailOf = (block: Buffer | undefined) => block && (block.length > WINDOW ? block.subarray(block.length - WINDOW) : block);

/** The dictionary segment i was compressed with: the last 32 KiB of the block before it. */
export function dictionaryFor(blocks: readonly Buffer[], i: number): Buffer | undefined {
  return i === 0 ? undefined : tailOf(blocks[i - 1]);
}

function deflateBlock(block: Buffer, level: number, dictionary: Buffer | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    zlib.deflateRaw(block, { level, dictionary, finishFlush: zlib.constants.Z_SYNC_FLUSH }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

export interface DeflateHooks {
  level: number;
  /** Runs on the main thread while the pool compresses: reading, the CRC. */
  take?: (block: Buffer) => void;
  onBlock?: (bytes: number) => void;
  /** When given, each segment is handed over in order (and not kept); dictionary is what it was compressed with. */
  onSegment?: (segment: Buffer, block: Buffer, dictionary: Buffer | undefined) => void | Promise<void>;
}

/**
 * Deflates blocks as they come, at most IN_FLIGHT at once (counting a segment until onSegment is
 * done with it), so reading, the CRC and the consumer overlap the compression on the pool.
 * Returns the segments, or with onSegment none; stops reading at the first failure.
 */
export async function deflateEach(blocks: Iterable<Buffer>, { level, take = () => {}, onBlock = () => {}, onSegment }: DeflateHooks): Promise<Buffer[]> {
  const segments: Promise<Buffer>[] = [];
  const running = new Set<Promise<unknown>>();
  let emitted: Promise<unknown> = Promise.resolve();
  let failed = false;
  let prev: Buffer | undefined;
  for (const block of blocks) {
    while (running.size >= IN_FLIGHT) await Promise.race(running);
    if (failed) break;
    const dictionary = tailOf(prev);
    const segment = deflateBlock(block, level, dictionary);
    if (onSegment) emitted = Promise.all([segment, emitted]).then(([seg]) => onSegment(seg, block, dictionary));
    else segments.push(segment);
    const settled = (onSegment ? emitted : segment).then(
      () => onBlock(block.length),
      () => void (failed = true),
    );
    running.add(settled);
    void settled.then(() => running.delete(settled));
    take(block);
    prev = block;
  }
  await emitted;
  return [...(await Promise.all(segments)), FINAL_BLOCK];
}

function member(source: SourceData, segments: Buffer[], header: HeaderFields): Compressed {
  const head = gzipHeader(header);
  const trailer = gzipTrailer(source.crc, source.size);
  const size = head.length + segments.reduce((n, s) => n + s.length, 0) + trailer.length;
  return { header: head, segments, trailer, size };
}

/** Compresses data already in memory. */
export async function compressSource(source: SourceData, header: HeaderFields, onBlock: (bytes: number) => void = () => {}): Promise<Compressed> {
  return member(source, await deflateEach(source.blocks, { level: header.level, onBlock }), header);
}

/** Reads (a range of) fd and compresses it at the same time; returns both the data and its member. */
export async function readAndCompress(
  fd: number,
  range: ReadRange,
  header: HeaderFields,
  onBlock: (bytes: number) => void = () => {},
): Promise<{ source: SourceData; compressed: Compressed }> {
  const { source, take } = collector();
  const segments = await deflateEach(readEachBlock(fd, range), { level: header.level, take, onBlock });
  return { source, compressed: member(source, segments, header) };
}

/** The member as the list of buffers it is written from (no concatenation). */
export const chunksOf = (c: Compressed): Buffer[] => [c.header, ...c.segments, c.trailer];
