// Decompresses a whole .gz (any number of members) and returns the length and CRC-32 of its content.
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import zlib from 'node:zlib';
import { CmemError } from '../errors.js';
import { crc32 } from './gzip-format.js';
import { at } from '../fs/pinned-folders.js';

export interface Content {
  size: number;
  crc: number;
}

/** From byte start on, when given: the members appended after an earlier archive's length. */
export async function testGzip(file: string, start = 0): Promise<Content> {
  let size = 0;
  let crc = 0;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      size += chunk.length;
      crc = crc32(chunk, crc);
      done();
    },
  });
  try {
    const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    const input = fs.createReadStream('', { fd, start });
    await pipeline(input, zlib.createGunzip(), sink);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT') throw new CmemError('ENOENT', `${file}: no such file`);
    throw new CmemError('BAD_GZIP', `${file}: ${e.message}`, 'the file is damaged or not gzip; keep the original if you still have it');
  }
  return { size, crc };
}
