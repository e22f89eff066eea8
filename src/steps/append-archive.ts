// A repeated --copytruncate keeps the earlier archive. Beside: its bytes go first into the new temporary
// .gz, the new members after them, and only that verified whole replaces it, by rename, so that FILE.gz
// is at every instant the old whole or the new one. Through a stash: once the truncation has freed the
// room, the stash's member is appended in place past the length the stash's manifest records.
import fs from 'node:fs';
import { identityAt, identityOf, sameIdentity, type Identity } from '../probe/identity.js';
import { CmemError, CmemWarning } from '../errors.js';
import { crc32Combine } from './crc32-combine.js';
import { at } from '../fs/pinned-folders.js';
import { readFull } from './read-blocks.js';
import { restoreMetadata, type Metadata } from './restore-metadata.js';
import { testGzip, type Content } from './test-gzip.js';
import { verifyContent } from './verify-content.js';
import { tempPathFor } from './write-beside.js';
import { closeJudged, writeChunks } from './write-chunks.js';

export interface Archive {
  path: string;
  dev: number;
  ino: number;
  /** Birth time in ns: with ino, what a later run matches it by (a remount changes dev). */
  birth: string;
  /** Its length on disk. */
  bytes: number;
  mtimeMs: number;
  /** What it decompresses to. */
  content: Content;
}

/**
 * The .gz an earlier --copytruncate left at outputPath, if any. Only a whole gzip file of the operand's
 * owner with one link is appended to; anything else is refused with advice that destroys nothing.
 */
export async function earlierArchive(outputPath: string, owner: { uid: number }): Promise<Archive | undefined> {
  const st = fs.lstatSync(at(outputPath), { throwIfNoEntry: false });
  if (!st) return undefined;
  const away = `move it away (or give -o another name) to start a new archive`;
  if (!st.isFile() || st.nlink !== 1 || st.uid !== owner.uid)
    throw new CmemWarning(
      'OUTPUT_EXISTS',
      `${outputPath} already exists and is not an archive of ours to append to (not a regular file of uid ${owner.uid} with one link); left as it is: ${away}`,
    );
  let content: Content;
  try {
    content = await testGzip(outputPath);
  } catch (err) {
    throw new CmemError(
      'BAD_GZIP',
      `${outputPath} already exists and is not a whole .gz (${(err as Error).message}): a repeated --copytruncate appends to the earlier archive, and this one cannot take it; left as it is`,
      `check it with gzip -t; ${away}`,
    );
  }
  return { path: outputPath, dev: st.dev, ino: st.ino, birth: identityAt(at(outputPath))?.birth ?? '0', bytes: st.size, mtimeMs: st.mtimeMs, content };
}

/** The content of the archive followed by more: its length, and its CRC-32 without reading the archive again. */
export const appendedContent = (archive: Content, more: Content): Content => ({
  size: archive.size + more.size,
  crc: crc32Combine(archive.crc, more.crc, more.size),
});

function assertSame(archive: Archive, st: fs.Stats | undefined): void {
  if (!st || st.dev !== archive.dev || st.ino !== archive.ino || st.size !== archive.bytes || st.mtimeMs !== archive.mtimeMs)
    throw new CmemError('CHANGED', `${archive.path} changed while its new copy was written (someone else wrote, moved or removed it); it was left as it is and the copy removed`, 'run cmemgzip again');
}

/** Copies the archive's bytes to the start of fd, from the very inode that was tested. */
function copyArchive(archive: Archive, fd: number): void {
  const src = fs.openSync(at(archive.path), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    assertSame(archive, fs.fstatSync(src));
    const chunk = Buffer.allocUnsafe(4 * 2 ** 20);
    for (let pos = 0; pos < archive.bytes; ) {
      const got = readFull(src, chunk.subarray(0, Math.min(chunk.length, archive.bytes - pos)), pos);
      if (got === 0) throw new CmemError('CHANGED', `${archive.path} ended at ${pos} bytes while it was copied; left as it is`, 'run cmemgzip again');
      writeChunks(fd, [chunk.subarray(0, got)], pos);
      pos += got;
    }
  } finally {
    fs.closeSync(src);
  }
}

export interface AppendedTemp {
  temp: string;
  /** Removes the temporary: the archive was never touched. */
  remove(): void;
  /** Renames the temporary over the archive, unchanged since it was copied (the folder's fsync is the next step). */
  rename(): void;
}

/**
 * Creates the temporary (O_EXCL, mode 0600) holding the archive's bytes then `members`, fsynced. onTemp
 * is told its path as soon as it exists, for cleanup on an interrupt.
 */
export function writeAppendedTemp(archive: Archive, members: readonly Buffer[], onTemp: (temp: string) => void): AppendedTemp {
  const temp = tempPathFor(archive.path);
  const fd = fs.openSync(at(temp), fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  onTemp(temp);
  const remove = () => fs.rmSync(at(temp), { force: true });
  try {
    copyArchive(archive, fd);
    writeChunks(fd, members, archive.bytes);
    fs.fsyncSync(fd);
  } catch (err) {
    closeJudged(fd);
    remove();
    throw err;
  }
  closeJudged(fd);
  return {
    temp,
    remove,
    rename() {
      assertSame(archive, fs.lstatSync(at(archive.path), { throwIfNoEntry: false }));
      fs.renameSync(at(temp), at(archive.path));
    },
  };
}

/** The archive a stash's new member goes onto, as the stash manifest records it: which inode, its length and content before. */
export interface AppendTarget extends Identity {
  bytes: number;
  size: number;
  crc: number;
}

export const appendTarget = (a: Archive): AppendTarget => ({ ino: a.ino, birth: a.birth, bytes: a.bytes, size: a.content.size, crc: a.content.crc });

/** A record read back from a manifest (data, never trusted): whole numbers where numbers belong. */
export const isAppendTarget = (t: unknown): t is AppendTarget =>
  typeof t === 'object' &&
  t !== null &&
  /^\d+$/.test(String((t as Record<string, unknown>).birth)) &&
  (['ino', 'bytes', 'size', 'crc'] as const).every((k) => Number.isSafeInteger((t as Record<string, unknown>)[k]));

/**
 * Appends chunks (whole gzip members) to the archive in place, past its recorded length, fsyncs and
 * verifies the whole; on a failure it is cut back to that length. The earlier bytes are never written:
 * a kill while appending leaves a torn tail after them, which the record lets a rerun cut off the same way.
 */
export async function appendInPlace(file: string, target: AppendTarget, chunks: readonly Buffer[], more: Content, meta: Metadata): Promise<void> {
  const fd = fs.openSync(at(file), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  try {
    const st = fs.fstatSync(fd);
    if (!sameIdentity(identityOf(fs.fstatSync(fd, { bigint: true })), target) || st.size < target.bytes)
      throw new CmemError('CHANGED', `${file} is no longer the archive of ${target.bytes} bytes the new member goes onto (replaced or cut by someone else); left as it is`, 'compare it with the stash, then run cmemgzip --resume again');
    try {
      if (st.size > target.bytes) fs.ftruncateSync(fd, target.bytes);
      writeChunks(fd, chunks, target.bytes);
      fs.fsyncSync(fd);
      await verifyContent(file, appendedContent(target, more));
      restoreMetadata(fd, meta);
      fs.fsyncSync(fd);
    } catch (err) {
      fs.ftruncateSync(fd, target.bytes);
      fs.fsyncSync(fd);
      throw err;
    }
  } finally {
    closeJudged(fd);
  }
}
