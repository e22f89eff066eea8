// Strategies 2 and 3's write, as the steps take it: the .gz over FILE's own blocks from offset 0, then cut to its length.
// Overwriting allocates nothing on ext4 or xfs, so no other process can take the space meanwhile,
// and the inode keeps its owner, ACLs and labels.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { readFull } from './read-blocks.js';
import { restoreMetadata, type Metadata } from './restore-metadata.js';
import { closeJudged, fsyncDir, writeChunks } from './write-chunks.js';
import { at } from '../fs/pinned-folders.js';

/** The file to rewrite, by path and by identity, and the metadata to leave on it. */
export type Target = Pick<FileFacts, 'path' | 'dev' | 'ino'> & Metadata;

export interface RewriteGuard {
  /** The sizes FILE may have before it is cut; any other means a writer appended meanwhile. */
  sizes: readonly number[];
  /** The original bytes, written back over the head if an append is caught before the cut. */
  original?: readonly Buffer[];
  /** Set once FILE is cut to the .gz's length: from then on its tail holds only what a writer appended. */
  progress?: { cut: boolean };
}

/** The rewrite's first act: FILE opened for writing, and proven still the inode read. */
export function openToRewrite(target: Target): number {
  const fd = fs.openSync(at(target.path), fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW);
  const st = fs.fstatSync(fd);
  if (st.dev === target.dev && st.ino === target.ino) return fd;
  closeJudged(fd);
  throw new CmemError('CHANGED', `${target.path} was replaced by another file; left as it is`);
}

/**
 * The cut, with the original's metadata after it. A writer that opens, appends and closes is invisible to the
 * holder check: it is caught right before the cut, nothing in between (not even a progress line), so that
 * only two system calls apart can it land; then the original goes back over the head and the run stops.
 */
export function cutRewritten(fd: number, target: Target, length: number, guard: RewriteGuard): void {
  const size = fs.fstatSync(fd).size;
  if (!guard.sizes.includes(size)) {
    if (guard.original) writeChunks(fd, guard.original, 0);
    fs.fsyncSync(fd);
    throw new CmemError(
      'CHANGED',
      `${target.path} was appended to while it was rewritten (${size} bytes now)${guard.original ? '; its original bytes were put back and the appended ones kept' : ''}`,
      'run cmemgzip again once nothing writes to it',
    );
  }
  fs.ftruncateSync(fd, length);
  if (guard.progress) guard.progress.cut = true;
  fs.fsyncSync(fd);
  restoreMetadata(fd, target);
  fs.fsyncSync(fd);
}

/** Right before the rename: a writer that appended after the cut would leave its lines as trailing garbage. */
export function assertLength(file: string, length: number): void {
  const size = fs.lstatSync(at(file)).size;
  if (size !== length)
    throw new CmemError('CHANGED', `${file} was appended to while it was rewritten (${size - length} bytes after the .gz)`, 'run cmemgzip again once nothing writes to it');
}

/**
 * After a failed rewrite: the original bytes, from memory, back at the head. If the file was already
 * cut to `cutTo`, every byte past that is a writer's append: moved after them, so none is lost. A FILE
 * that a copy-on-write run unlinked first is made anew; any other inode at its name is left alone.
 */
export function putBack(original: Target & { dir: string; size: number }, blocks: readonly Buffer[], cutTo: number, wasCut: boolean): void {
  const exists = fs.existsSync(at(original.path));
  const flags = exists ? fs.constants.O_RDWR | fs.constants.O_NOFOLLOW : fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;
  const fd = fs.openSync(at(original.path), flags, 0o600);
  try {
    const st = fs.fstatSync(fd);
    if (exists && (st.dev !== original.dev || st.ino !== original.ino))
      throw new CmemError('CHANGED', `${original.path} is now another file; the original bytes were not written over it`);
    const appended = exists && wasCut && st.size > cutTo ? Buffer.alloc(st.size - cutTo) : Buffer.alloc(0);
    readFull(fd, appended, cutTo);
    writeChunks(fd, [...blocks, appended], 0);
    fs.fsyncSync(fd);
    restoreMetadata(fd, original);
  } finally {
    closeJudged(fd);
  }
  if (!exists) fsyncDir(original.dir);
}
