// A Writable over a file descriptor, writing in order from an offset with writeChunks: what streamed
// output (a decompressed member) is written to the temporary with.
import { Writable } from 'node:stream';
import { writeChunks } from './write-chunks.js';

export function fdWritable(fd: number, position = 0): Writable {
  let pos = position;
  return new Writable({
    highWaterMark: 1024 * 1024,
    writev(chunks, done) {
      try {
        pos = writeChunks(fd, chunks.map((c) => c.chunk as Buffer), pos);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
}
