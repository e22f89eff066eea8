// A note in the user's state folder in a default place saying where an operator-named stash lives, so
// that a plain rerun (without --stash) still finds the interrupted job instead of compressing a
// half-done file. The note is read only from a folder that passes its check, and the place it names
// must pass the same check before anything there is read.
import fs from 'node:fs';
import path from 'node:path';
import { defaultStashDirs, uniqueDirs } from '../probe/stash.js';
import { checkStateFolder, readOwnFile, stateFolderIn, stateFolderName, tidyStateFolder, writeOwnFile } from './state-folder.js';
import { at } from './pinned-folders.js';

const noteName = (key: string) => `${key}.where`;
const isDefault = (dir: string) => uniqueDirs(defaultStashDirs()).includes(uniqueDirs([dir])[0]);

/** Writes the note unless the stash is itself in a default place; best effort (RAM folders are usually there). */
export function leavePointer(stashDir: string, key: string): void {
  if (isDefault(stashDir)) return;
  for (const dir of defaultStashDirs()) {
    try {
      writeOwnFile(stateFolderIn(dir, true)!, noteName(key), `${path.resolve(stashDir)}\n`);
      return;
    } catch {
      /* full, missing or not safe: try the next place */
    }
  }
}

/** The stash places that notes point to for this key. */
export function pointedStashDirs(key: string): string[] {
  const dirs = defaultStashDirs().flatMap((dir) => {
    try {
      const folder = stateFolderIn(dir, false);
      const text = folder ? readOwnFile(folder, noteName(key)) : undefined;
      return text ? [text.trim()] : [];
    } catch {
      return [];
    }
  });
  return uniqueDirs(dirs.filter((d) => path.isAbsolute(d)));
}

export function dropPointer(key: string): void {
  for (const dir of defaultStashDirs()) {
    const folder = path.join(path.resolve(dir), stateFolderName());
    try {
      if (!checkStateFolder(folder)) continue;
      fs.rmSync(at(path.join(folder, noteName(key))), { force: true });
      tidyStateFolder(folder);
    } catch {
      /* not ours: never touched */
    }
  }
}
