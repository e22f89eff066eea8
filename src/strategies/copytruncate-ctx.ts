// What --copytruncate's steps share: the source and its copy as read before the plan, and what the steps
// make as they go (where the copy is, how far the writer was caught up, FILE's stat at the truncation).
import type fs from 'node:fs';
import type { FileFacts } from '../probe/file.js';
import type { AppendedTemp, Archive } from '../steps/append-archive.js';
import type { Compressed } from '../steps/compress.js';
import type { SourceData } from '../steps/read-blocks.js';
import type { Metadata } from '../steps/restore-metadata.js';
import type { StashManifest, StashPaths } from '../steps/stash.js';
import type { TempGz } from '../steps/write-beside.js';
import type { Action, Say } from './action.js';

export interface Progress {
  /** Every byte copied, in all rounds, and their CRC-32. */
  size: number;
  crc: number;
  compressedSize: number;
  /** Rounds of catching up that found bytes appended. */
  rounds: number;
}

export interface TruncateCtx {
  /** What the operator named (absolute FILE, or /proc/PID/fd/N); a stash manifest records it for --resume. */
  name: string;
  readFd: number;
  /** Opened write-only without O_TRUNC: the truncation goes through it. */
  writeFd: number;
  facts: Pick<FileFacts, 'dev' | 'ino' | 'birth' | 'base' | 'size'> & Metadata;
  outputPath: string;
  level: number;
  /** What the first read found, and its compressed copy. */
  first: SourceData;
  compressed: Compressed;
  /** The .gz an earlier --copytruncate left at outputPath: kept, with the new members after it. */
  archive?: Archive;
  /** The run's lines (the logger): the steps only say what they did. */
  say: Say;

  /** The file the copy is in while the writer is caught up with: the .gz, its temporary, or the stash's copy. */
  copy?: string;
  /** The temporary being written, while it is ours to remove (TempJob's field, for the shared temp actions). */
  temp?: TempGz;
  /** Beside an earlier archive: the temporary that holds it, then the new member. */
  appended?: AppendedTemp;
  /** The note that the copy is under (or about to take) the .gz's name is ours: an undo drops it. */
  noted?: boolean;
  /** The copy has the .gz's name. */
  renamed?: boolean;
  /** Renamed, but the folder's fsync failed: the .gz is whole and stays, with its note, for a rerun. */
  kept?: boolean;
  stash?: { paths: StashPaths; manifest: StashManifest };
  progress?: Progress;
  /** FILE's stat just before it was truncated. */
  before?: fs.Stats;
  /** Past the truncation, the .gz is whole under its name: the stash is no longer all there is. */
  gzWritten?: boolean;
}

/** The bytes copied, once caught up: what the .gz must decompress to. */
export const copied = (c: TruncateCtx) => ({ size: c.progress!.size, crc: c.progress!.crc });

/** FILE's metadata with the content's times as they were at the truncation, like the bytes the .gz holds. */
export const metaAtCut = (c: TruncateCtx): Metadata => ({ ...c.facts, atimeMs: c.before!.atimeMs, mtimeMs: c.before!.mtimeMs });

/** A step's code, paired with its name and custody where the list is written. */
export type Code = Omit<Action<TruncateCtx>, 'name' | 'copies' | 'bytes' | 'repeat'>;

/** FILE is cut and the .gz not yet whole from the stash: the stash is all there is, and stays for --resume. */
export const onlyInStash = (c: TruncateCtx): boolean => !!c.stash && !!c.before && !c.gzWritten;
