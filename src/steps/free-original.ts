// Removes the original, but only if it is still exactly the file that was read.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { probeFile, sameContent, type FileFacts } from '../probe/file.js';
import { fsyncDir } from './write-chunks.js';
import { at } from '../fs/pinned-folders.js';

export function assertUnchanged(read: FileFacts): void {
  const now = probeFile(read.path);
  if (!sameContent(read, now))
    throw new CmemError('CHANGED', `${read.path} changed since it was read; left as it is`, 'run cmemgzip again once nothing writes to it');
}

/** unlinked is told as soon as the name is gone, before the folder's fsync: from then on FILE's bytes are elsewhere only. */
export function freeOriginal(read: FileFacts, unlinked: () => void = () => {}): void {
  assertUnchanged(read);
  fs.unlinkSync(at(read.path));
  unlinked();
  fsyncDir(read.dir);
}
