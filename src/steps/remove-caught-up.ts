// Removes FILE once its .gz is whole beside it. Bytes a writer appended since FILE was read (one that
// opens, appends and closes holds no descriptor to see) are first appended to the .gz as further gzip
// members, each fsynced and checked, so that no line is cut away; FILE goes right after a last look
// finds nothing new. gzip, zcat and zgrep read the members as one stream.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { probeFile, type FileFacts } from '../probe/file.js';
import { appendMember } from './append-member.js';
import { chunksOf, compressSource } from './compress.js';
import { at } from '../fs/pinned-folders.js';
import { readBlocks } from './read-blocks.js';
import { syncFolder } from './folder-sync.js';

/** A writer that never stops would keep the run here: after this many catch-ups FILE is left as it is. */
const MAX_ROUNDS = 8;

const changed = (file: string) => new CmemError('CHANGED', `${file} changed since it was read; left as it is`, 'run cmemgzip again once nothing writes to it');

/** Returns the bytes caught up (0 when FILE did not grow). */
export async function removeCaughtUp(read: FileFacts, gz: string, level: number): Promise<number> {
  let done = read.size;
  let seen = read;
  for (let round = 0; ; round++) {
    const now = probeFile(read.path);
    if (now.kind !== 'file' || now.dev !== read.dev || now.ino !== read.ino) throw changed(read.path);
    if (now.size === done && now.mtimeNs === seen.mtimeNs) {
      fs.unlinkSync(at(read.path));
      await syncFolder(read.dir);
      if (done > read.size) fs.utimesSync(at(gz), now.atimeMs / 1000, now.mtimeMs / 1000);
      return done - read.size;
    }
    // Cut short, or written inside rather than appended to: what FILE holds is not the .gz's content and more.
    if (now.size <= done || round === MAX_ROUNDS) throw changed(read.path);
    const fd = fs.openSync(at(read.path), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    let tail;
    try {
      tail = readBlocks(fd, { start: done });
    } finally {
      fs.closeSync(fd);
    }
    const member = await compressSource(tail, { mtime: 0, level });
    appendMember(gz, chunksOf(member), tail);
    done += tail.size;
    seen = probeFile(read.path);
  }
}
