// Where the reserves are and the size each should have: one record in the state folder of the first
// state place (/var/tmp by default, which survives a reboot), so a rerun or --scan finds them again.
import fs from 'node:fs';
import { FRESH_MS } from '../probe/fresh-for.js';
import { defaultStashDirs } from '../probe/stash.js';
import { fsPath } from '../fs/raw-names.js';
import { readOwnFile, stateFolderIn, writeOwnFile } from './state-folder.js';

export interface ReserveRecord {
  path: string;
  /** The file's inode when it was made: a file put there by anyone else is not ours. */
  ino: number;
  /** The size the operator asked for: what a run grows it back to. */
  size: number;
}

const NAME = 'reserves.json';

/** The first state place there is: records are kept there, and only there. */
function recordFolder(create: boolean): string | undefined {
  const base = defaultStashDirs().find((d) => fs.existsSync(fsPath(d)));
  return base === undefined ? undefined : stateFolderIn(base, create);
}

/** The records; none when the state folder is missing or cannot be trusted (the stash's choice reports that, once). */
function readReservesNow(): ReserveRecord[] {
  let folder: string | undefined;
  try {
    folder = recordFolder(false);
  } catch {
    return [];
  }
  const text = folder && readOwnFile(folder, NAME);
  if (!text) return [];
  try {
    const parsed = JSON.parse(text) as ReserveRecord[];
    return Array.isArray(parsed) ? parsed.filter((r) => typeof r.path === 'string' && Number.isSafeInteger(r.size) && Number.isSafeInteger(r.ino)) : [];
  } catch {
    return [];
  }
}

/**
 * The records as last read, for a second (FRESH_MS) and the same state places: -r looks after every file
 * (a reserve a killed run left short grows back), which read the record folder anew each time. A record
 * another run makes meanwhile is seen by the files after that second; this process's own changes at once.
 */
let held: { places: string; at: number; records: readonly ReserveRecord[] } | undefined;

export function readReserves(): readonly ReserveRecord[] {
  const places = defaultStashDirs().join(':');
  const now = performance.now();
  if (held?.places === places && now - held.at < FRESH_MS) return held.records;
  held = { places, at: now, records: Object.freeze(readReservesNow()) };
  return held.records;
}

/** Replaces the record of r.path with r, or removes it when size is 0. */
export function recordReserve(r: ReserveRecord): void {
  const others = readReservesNow().filter((x) => x.path !== r.path);
  const all = r.size > 0 ? [...others, r] : others;
  held = undefined;
  writeOwnFile(recordFolder(true)!, NAME, `${JSON.stringify(all, null, 1)}\n`);
}

/** The reserve recorded on the filesystem dev, if any: the first whose file is still there on it. */
export function reserveOn(dev: number): ReserveRecord | undefined {
  return readReserves().find((r) => {
    const st = fs.lstatSync(fsPath(r.path), { throwIfNoEntry: false });
    return st?.dev === dev && st.ino === r.ino;
  });
}
