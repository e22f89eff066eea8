// A note that exists only while --copytruncate's copy is under the .gz's name and FILE is not yet
// truncated. A rerun that finds it (and FILE still beginning with what the copy holds) knows the copy is
// a stale duplicate: it cuts the .gz back to its length before, or removes it when there was none.
// Without the note a .gz is an archive, kept whole, even when FILE begins with exactly what it holds.
import fs from 'node:fs';
import path from 'node:path';
import { defaultStashDirs } from '../probe/stash.js';
import { at } from './pinned-folders.js';
import { checkStateFolder, readOwnFile, stateFolderIn, tidyStateFolder, writeOwnFile } from './state-folder.js';
import { recordKey, type Identity } from '../probe/identity.js';
import { testGzip, type Content } from './test-gzip.js';

export interface TruncateRecord {
  /** The .gz (or the temporary about to become it). */
  gz: Identity;
  /** Its length before this run's copy: 0 when there was no archive. */
  before: number;
}

const noteName = (file: Identity) => `${recordKey(file)}.truncating`;

/** Writes the note in the first default place that takes it; without one a stop in the window only duplicates, never loses. */
export function leaveTruncateRecord(file: Identity, record: TruncateRecord): void {
  for (const dir of defaultStashDirs()) {
    try {
      writeOwnFile(stateFolderIn(dir, true)!, noteName(file), `${JSON.stringify(record)}\n`);
      return;
    } catch {
      /* full, missing or not safe: try the next place */
    }
  }
}

const isRecord = (r: unknown): r is TruncateRecord => {
  const t = r as TruncateRecord | undefined;
  return /^\d+$/.test(String(t?.gz?.birth)) && Number.isSafeInteger(t?.gz?.ino) && Number.isSafeInteger(t?.before) && t!.before >= 0;
};

export function readTruncateRecord(file: Identity): TruncateRecord | undefined {
  for (const dir of defaultStashDirs()) {
    try {
      const folder = stateFolderIn(dir, false);
      const parsed: unknown = JSON.parse(folder ? (readOwnFile(folder, noteName(file)) ?? 'null') : 'null');
      if (isRecord(parsed)) return parsed;
    } catch {
      /* not ours, or not a note: look on */
    }
  }
  return undefined;
}

export function dropTruncateRecord(file: Identity): void {
  for (const dir of defaultStashDirs()) {
    try {
      const folder = stateFolderIn(dir, false);
      if (!folder || !checkStateFolder(folder)) continue;
      fs.rmSync(at(path.join(folder, noteName(file))), { force: true });
      tidyStateFolder(folder);
    } catch {
      /* not safe to look into: nothing of ours is there */
    }
  }
}

/** What the gzip members of a file from byte `start` on decompress to; undefined when they are not whole. */
export const contentFrom = (file: string, start: number): Promise<Content | undefined> => testGzip(file, start).catch(() => undefined);
