// A note that exists only while --copytruncate's copy is under the .gz's name and FILE is not yet
// truncated. A rerun that finds it (and FILE still beginning with what the copy holds) knows the copy is
// a stale duplicate: it cuts the .gz back to its length before, or removes it when there was none.
// Without the note a .gz is an archive, kept whole, even when FILE begins with exactly what it holds.
import { dropNote, leaveNote, readNotes } from './state-notes.js';
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
  leaveNote(noteName(file), `${JSON.stringify(record)}\n`);
}

const isRecord = (r: unknown): r is TruncateRecord => {
  const t = r as TruncateRecord | undefined;
  return /^\d+$/.test(String(t?.gz?.birth)) && Number.isSafeInteger(t?.gz?.ino) && Number.isSafeInteger(t?.before) && t!.before >= 0;
};

export function readTruncateRecord(file: Identity): TruncateRecord | undefined {
  for (const text of readNotes(noteName(file))) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed)) return parsed;
    } catch {
      /* not a note of ours: look on */
    }
  }
  return undefined;
}

export const dropTruncateRecord = (file: Identity): void => dropNote(noteName(file));

/** What the gzip members of a file from byte `start` on decompress to; undefined when they are not whole. */
export const contentFrom = (file: string, start: number): Promise<Content | undefined> => testGzip(file, start).catch(() => undefined);
