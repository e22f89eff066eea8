// A note in a default stash place saying where an operator-named stash lives, so that a plain rerun
// (without --stash) still finds the interrupted job instead of compressing a half-done file.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_STASH_DIRS, uniqueDirs } from '../probe/stash.js';

export const STASH_FOLDER = 'cmemgzip-stash';

/** The key of a file's stash entries: its device and inode, as the stash names them. */
export const stashKey = (dev: number, ino: number) => `${dev}-${ino}`;

const notesIn = (dir: string) => path.join(path.resolve(dir), STASH_FOLDER);

/** Writes the note unless the stash is itself in a default place; best effort (RAM folders are usually there). */
export function leavePointer(stashDir: string, key: string): void {
  const target = path.resolve(stashDir);
  if (DEFAULT_STASH_DIRS.some((d) => path.resolve(d) === target)) return;
  for (const dir of DEFAULT_STASH_DIRS) {
    try {
      fs.mkdirSync(notesIn(dir), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(notesIn(dir), `${key}.where`), `${target}\n`, { mode: 0o600 });
      return;
    } catch {
      /* full or missing: try the next place */
    }
  }
}

/** The stash folders that notes point to for this key. */
export function pointedStashDirs(key: string): string[] {
  const dirs = DEFAULT_STASH_DIRS.flatMap((dir) => {
    try {
      return [fs.readFileSync(path.join(notesIn(dir), `${key}.where`), 'utf8').trim()];
    } catch {
      return [];
    }
  });
  return uniqueDirs(dirs);
}

export function dropPointer(key: string): void {
  for (const dir of DEFAULT_STASH_DIRS) {
    fs.rmSync(path.join(notesIn(dir), `${key}.where`), { force: true });
    try {
      fs.rmdirSync(notesIn(dir));
    } catch {
      /* other entries still there */
    }
  }
}
