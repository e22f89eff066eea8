// Estimates the compressed size from slices spread over the file, before committing memory to it.
import zlib from 'node:zlib';
import { readFull } from './read-blocks.js';

const SLICE = 256 * 1024;
const SLICES = 8;

export function estimateCompressed(fd: number, size: number, level: number): number {
  if (size === 0) return 20;
  const count = Math.min(SLICES, Math.ceil(size / SLICE));
  const step = count > 1 ? Math.floor((size - SLICE) / (count - 1)) : 0;
  let read = 0;
  let out = 0;
  for (let i = 0; i < count; i++) {
    const buf = Buffer.allocUnsafe(Math.min(SLICE, size));
    const n = readFull(fd, buf, Math.max(0, i * step));
    read += n;
    out += zlib.deflateRawSync(buf.subarray(0, n), { level }).length;
  }
  return read === 0 ? 20 : Math.ceil((size * out) / read) + 20;
}
