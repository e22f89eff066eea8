// Strategies 2 and 3's write: the .gz over FILE's own blocks from offset 0, then cut to its length.
// Overwriting allocates nothing on ext4 or xfs, so no other process can take the space meanwhile,
// and the inode keeps its owner, ACLs and labels.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { restoreMetadata, type Metadata } from './restore-metadata.js';
import { fsyncDir, writeChunks } from './write-chunks.js';

/** The file to rewrite, by path and by identity, and the metadata to leave on it. */
export type Target = Pick<FileFacts, 'path' | 'dev' | 'ino'> & Metadata;

export function rewriteInPlace(original: Target, chunks: readonly Buffer[], length: number): void {
  const fd = fs.openSync(original.path, fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    if (st.dev !== original.dev || st.ino !== original.ino)
      throw new CmemError('CHANGED', `${original.path} was replaced by another file; left as it is`);
    writeChunks(fd, chunks, 0);
    fs.fsyncSync(fd);
    fs.ftruncateSync(fd, length);
    fs.fsyncSync(fd);
    restoreMetadata(fd, original);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Last resort inside the in-place window: the original bytes, from memory, back where they were. */
export function putBack(original: Target & { dir: string }, blocks: readonly Buffer[], size: number): void {
  if (fs.existsSync(original.path)) return rewriteInPlace(original, blocks, size);
  const fd = fs.openSync(original.path, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  try {
    writeChunks(fd, blocks);
    fs.fsyncSync(fd);
    restoreMetadata(fd, original);
  } finally {
    fs.closeSync(fd);
  }
  fsyncDir(original.dir);
}
