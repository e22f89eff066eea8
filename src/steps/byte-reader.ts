// Pulls a byte stream chunk by chunk, with bytes read too far handed back: gzip members end
// wherever their deflate data says, not on a chunk boundary, and the rest belongs to what follows.
import type { Readable } from 'node:stream';

export interface ByteReader {
  /** The next chunk, or undefined at the end of the stream. */
  next(): Promise<Buffer | undefined>;
  /** Hands back bytes that next() returned but that belong to what comes after. */
  unshift(bytes: Buffer): void;
  /** Bytes consumed so far (handed-back bytes are not counted). */
  readonly position: number;
}

export function byteReader(stream: Readable | AsyncIterable<Buffer>): ByteReader {
  const chunks = stream[Symbol.asyncIterator]();
  const back: Buffer[] = [];
  let position = 0;
  return {
    async next() {
      const chunk = back.pop() ?? (await chunks.next()).value;
      if (chunk) position += chunk.length;
      return chunk;
    },
    unshift(bytes) {
      if (bytes.length === 0) return;
      back.push(bytes);
      position -= bytes.length;
    },
    get position() {
      return position;
    },
  };
}

/** Reads until at least n bytes are at hand (fewer only at the end); the surplus stays in the reader. */
export async function readAtLeast(reader: ByteReader, n: number, have: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  const parts = [have];
  let length = have.length;
  while (length < n) {
    const chunk = await reader.next();
    if (!chunk) break;
    parts.push(chunk);
    length += chunk.length;
  }
  return parts.length === 1 ? have : Buffer.concat(parts, length);
}
