// Small notes in the user's state folders of the default places (a stash's whereabouts, a beside job
// under way, a copy under the .gz's name): written to the first place that takes one, read from any,
// removed from all. A place whose folder fails its check is passed over, never written or read.
import fs from 'node:fs';
import path from 'node:path';
import { at } from '../fs/pinned-folders.js';
import { freshFor, FRESH_MS } from '../probe/fresh-for.js';
import { defaultStashDirs } from '../probe/stash.js';
import { readOwnFile, removeOwnFile, stateFolderIn, tidyStateFolder, writeOwnFile } from './state-folder.js';
import { checkStateFolder, stateFolderName } from '../probe/own-folder.js';

/**
 * The notes this process left in each state folder and has not dropped: while one is there the folder is
 * not empty, and removing it could only fail (-r, its files side by side, threw an ENOTEMPTY a file).
 */
const leftIn = new Map<string, Set<string>>();

/** Best effort: true once a place took it. write makes it durable unless told otherwise. */
export function leaveNote(name: string, text: string, places: readonly string[] = defaultStashDirs(), write = writeOwnFile): boolean {
  for (const dir of places) {
    try {
      const folder = stateFolderIn(dir, true)!;
      write(folder, name, text);
      leftIn.set(folder, (leftIn.get(folder) ?? new Set()).add(name));
      return true;
    } catch {
      /* full, missing or not safe: try the next place */
    }
  }
  return false;
}

/** The note's text in each place that has it. */
export function readNotes(name: string, places: readonly string[] = defaultStashDirs()): string[] {
  return places.flatMap((dir) => {
    try {
      const folder = stateFolderIn(dir, false);
      const text = folder ? readOwnFile(folder, name) : undefined;
      return text === undefined ? [] : [text];
    } catch {
      return [];
    }
  });
}

/**
 * The names in a state folder, listed at most once a second (names only: nothing is acted on before the
 * folder's check); an empty set when it is missing, undefined when it cannot be listed.
 */
const namesIn = freshFor(FRESH_MS, (folder: string): ReadonlySet<string> | undefined => {
  try {
    return new Set(fs.readdirSync(at(folder)) as string[]);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? new Set() : undefined;
  }
});

export function dropNote(name: string, places: readonly string[] = defaultStashDirs()): void {
  for (const dir of places) {
    const folder = path.join(path.resolve(dir), stateFolderName());
    // A note this process did not leave there is looked for only where the folder's listing names it: a
    // killed run's note is older than any listing of this run. -r looked into every place for every file.
    if (!leftIn.get(folder)?.has(name) && namesIn(folder)?.has(name) === false) continue;
    try {
      // A folder that did not hold the note is left as it is: emptying it is not this note's business.
      if (!checkStateFolder(folder) || !removeOwnFile(folder, name)) continue;
      const ours = leftIn.get(folder);
      ours?.delete(name);
      if (!ours?.size) tidyStateFolder(folder);
    } catch {
      /* not ours: never touched */
    }
  }
}
