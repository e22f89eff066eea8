// Durable writes: a list of buffers written with writev at an offset, and fsync of a folder.
import fs from 'node:fs';

const IOV_MAX = 1024;

/** Writes every byte of chunks at position, looping over short writes; returns the end offset. */
export function writeChunks(fd: number, chunks: readonly Buffer[], position = 0): number {
  let pos = position;
  let pending = chunks.filter((c) => c.length > 0);
  while (pending.length > 0) {
    const batch = pending.slice(0, IOV_MAX);
    let written = fs.writevSync(fd, batch, pos);
    pos += written;
    let i = 0;
    while (i < batch.length && written >= batch[i].length) written -= batch[i++].length;
    pending = i < batch.length ? [batch[i].subarray(written), ...pending.slice(i + 1)] : pending.slice(i);
  }
  return pos;
}

/** Makes a rename, create or unlink in dir durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
