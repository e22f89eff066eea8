// A note that a beside job of ours is under way on FILE, left before its temporary is written and
// removed once FILE is gone. A later run removes FILE beside a .gz holding exactly its bytes only when
// such a note shows the .gz ours: a .gz that gzip -k (or anyone) made is answered as gzip answers it.
// The note survives a kill, not a power cut: it goes to a RAM place first, and is written in place with no
// fsync, where the per-file cost is no disk write; after a power cut the rerun says "FILE.gz already
// exists", and nothing is lost.
import { recordKey, type Identity } from '../probe/identity.js';
import { defaultStashDirs } from '../probe/stash.js';
import { dropNote, leaveNote, readNotes } from './state-notes.js';
import { writeOwnNote } from './state-folder.js';
import { NotDurable } from './write-beside.js';

const noteName = (id: Identity) => `${recordKey(id)}.beside`;

/** RAM places last in the default list: tried first here. */
const places = () => [...defaultStashDirs()].reverse();

/** Best effort: with no place to write it, a stopped job is answered as gzip answers it (nothing is lost). */
export function leaveBesideNote(file: Identity & { path: string }): void {
  leaveNote(noteName(file), `${JSON.stringify({ version: 3, ino: file.ino, birth: file.birth, name: file.path })}\n`, places(), writeOwnNote);
}

export const hasBesideNote = (file: Identity): boolean => readNotes(noteName(file), places()).length > 0;

export const dropBesideNote = (file: Identity): void => dropNote(noteName(file), places());

/**
 * Runs write (the .gz written beside and renamed into place) under a note for FILE. The note stays once the
 * .gz is under its name, even when making that durable failed: the caller drops it after FILE is removed.
 */
export async function withBesideNote<T>(file: Identity & { path: string }, write: () => Promise<T>): Promise<T> {
  leaveBesideNote(file);
  try {
    return await write();
  } catch (err) {
    if (!(err instanceof NotDurable)) dropBesideNote(file);
    throw err;
  }
}
