// Block mode's journal: a folder of part files (one gzip member per block) and a manifest that
// records every durable step, so that a run killed at any moment can be resumed from it. The folder
// is the user's own (0700, checked at each use, held open while in use); the manifest holds facts,
// never a path: the parts' names come from the folder and their index.
import fs from 'node:fs';
import path from 'node:path';
import { withinNameMax } from './name-max.js';
import { at, pin, unpin } from './pinned-folders.js';
import { checkStateFolder, createOwnFile, makeOwnFolder, readOwnFile, stateFolderIn, stateFolderName, tidyStateFolder, writeOwnFile } from './state-folder.js';
import { dropPointer, leavePointer, stashKey } from './stash-pointer.js';
import { closeJudged, fsyncDir, writeChunks } from './write-chunks.js';

export interface PartRecord {
  index: number;
  offset: number;
  length: number;
  crc: number;
  compressedSize: number;
}

export interface JournalManifest {
  version: 2;
  kind: 'blocks';
  dev: number;
  ino: number;
  size: number;
  blockSize: number;
  level: number;
  /** Whether the first member's header names the file (not with -n). */
  storeName: boolean;
  uid: number;
  gid: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
  parts: PartRecord[];
  /** Assembly progress: parts appended to the temporary .gz, and its length after them. */
  assembledParts: number;
  assembledBytes: number;
  /** The temporary .gz's identity once assembly made it: after the rename it names the finished .gz. */
  output?: { dev: number; ino: number };
  pid: number;
  createdAt: string;
}

export interface JournalPaths {
  folder: string;
  manifest: string;
  /** Set for a journal in a stash: the place named, and dev-ino of its file for the pointer note. */
  stash?: { dir: string; key: string };
}

/** Beside FILE: the folder that holds the parts and the manifest. */
export function journalBeside(file: string): JournalPaths {
  const folder = path.join(path.dirname(file), withinNameMax('.', path.basename(file), '.cmemgzip-blocks'));
  return { folder, manifest: path.join(folder, 'manifest.json') };
}

/** A journal folder's name beside its file: -r passes such folders over. */
export const isJournalFolderName = (name: string) => name.startsWith('.') && name.endsWith('.cmemgzip-blocks');

/** In a stash: used only until FILE's filesystem has room for the journal. */
export function journalInStash(stashDir: string, dev: number, ino: number): JournalPaths {
  const key = stashKey(dev, ino);
  const folder = path.join(path.resolve(stashDir), stateFolderName(), `${key}.blocks`);
  return { folder, manifest: path.join(folder, 'manifest.json'), stash: { dir: path.resolve(stashDir), key } };
}

/** The journals in a stash place's state folder (to find one whose file is gone), none when it is not ours. */
export function journalsInStash(stashDir: string): JournalPaths[] {
  const folder = stateFolderIn(stashDir, false);
  if (!folder) return [];
  return fs
    .readdirSync(folder)
    .map((name) => /^(\d+)-(\d+)\.blocks$/.exec(name))
    .flatMap((k) => (k ? [journalInStash(stashDir, Number(k[1]), Number(k[2]))] : []));
}

export const partPath = (j: JournalPaths, index: number) => path.join(j.folder, `part-${String(index).padStart(8, '0')}.gz`);

/** Creates the folder (and, in a stash, the state folder and the note) and holds it open until closeJournal. */
export function createJournal(j: JournalPaths): void {
  if (j.stash) {
    stateFolderIn(j.stash.dir, true);
    leavePointer(j.stash.dir, j.stash.key);
  }
  makeOwnFolder(j.folder);
  pin(j.folder);
}

/** Holds an existing, checked journal folder open; false when it is not there. Throws INSECURE. */
export function openJournal(j: JournalPaths): boolean {
  if (j.stash && !stateFolderIn(j.stash.dir, false)) return false;
  if (!checkStateFolder(j.folder)) return false;
  pin(j.folder);
  return true;
}

export const closeJournal = (j: JournalPaths) => unpin(j.folder);

export function writeJournal(j: JournalPaths, manifest: JournalManifest): void {
  writeOwnFile(j.folder, 'manifest.json', `${JSON.stringify(manifest)}\n`);
}

const FACTS = ['dev', 'ino', 'size', 'blockSize', 'level', 'uid', 'gid', 'mode', 'atimeMs', 'mtimeMs', 'assembledParts', 'assembledBytes', 'pid'] as const;
const PART_FACTS = ['index', 'offset', 'length', 'crc', 'compressedSize'] as const;

/** The journal's manifest when it is of our shape and accept says it is this job's, else undefined. */
export function readJournal(j: JournalPaths, accept: (m: JournalManifest) => boolean): JournalManifest | undefined {
  try {
    const m = JSON.parse(readOwnFile(j.folder, 'manifest.json') ?? '') as JournalManifest;
    const shaped =
      m.version === 2 &&
      m.kind === 'blocks' &&
      FACTS.every((f) => Number.isSafeInteger(Math.trunc(m[f]))) &&
      Array.isArray(m.parts) &&
      m.parts.every((p) => PART_FACTS.every((f) => Number.isSafeInteger(p?.[f]) && p[f] >= 0));
    return shaped && accept(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a part durably (file and folder fsynced); a leftover of the same name from a killed run is replaced. */
export function writePart(j: JournalPaths, index: number, chunks: readonly Buffer[]): void {
  const fd = createOwnFile(j.folder, path.basename(partPath(j, index)));
  try {
    writeChunks(fd, chunks);
    fs.fsyncSync(fd);
  } finally {
    closeJudged(fd);
  }
  fsyncDir(j.folder);
}

/** The part files in a journal folder of ours, or undefined when there is no such folder. */
export function partsIn(j: JournalPaths): string[] | undefined {
  if (!checkStateFolder(j.folder)) return undefined;
  return fs.readdirSync(at(j.folder)).filter((name) => /^part-\d{8}\.gz$/.test(name));
}

/** Removes the journal: manifest first, so that a half-removed journal is never mistaken for a live one. */
export function removeJournal(j: JournalPaths): void {
  if (checkStateFolder(j.folder)) {
    fs.rmSync(at(j.manifest), { force: true });
    fs.rmSync(at(j.folder), { recursive: true, force: true });
    fsyncDir(path.dirname(j.folder));
  }
  closeJournal(j);
  if (!j.stash) return;
  dropPointer(j.stash.key);
  tidyStateFolder(path.dirname(j.folder));
}
