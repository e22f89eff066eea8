// A note in the user's state folder in a default place saying where an operator-named stash lives, so
// that a plain rerun (without --stash) still finds the interrupted job instead of compressing a
// half-done file. The note is read only from a folder that passes its check, and the place it names
// must pass the same check before anything there is read.
import path from 'node:path';
import { defaultStashDirs, uniqueDirs } from '../probe/stash.js';
import { dropNote, leaveNote, readNotes } from './state-notes.js';

const noteName = (key: string) => `${key}.where`;
const isDefault = (dir: string) => uniqueDirs(defaultStashDirs()).includes(uniqueDirs([dir])[0]);

/** Writes the note unless the stash is itself in a default place; best effort (RAM folders are usually there). */
export function leavePointer(stashDir: string, key: string): void {
  if (!isDefault(stashDir)) leaveNote(noteName(key), `${path.resolve(stashDir)}\n`);
}

/** The stash places that notes point to for this key. */
export function pointedStashDirs(key: string): string[] {
  return uniqueDirs(readNotes(noteName(key)).map((t) => t.trim()).filter((d) => path.isAbsolute(d)));
}

export const dropPointer = (key: string): void => dropNote(noteName(key));
