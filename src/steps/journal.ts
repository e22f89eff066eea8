// Block mode's journal: a folder of part files (one gzip member per block) and a manifest that
// records every durable step, so that a run killed at any moment can be resumed from it. The folder
// is the user's own (0700, checked at each use, held open while in use); the manifest holds facts,
// never a path: the parts' names come from the folder and their index. Folders are named by the file's
// identity (inode and birth time), so a renamed file (logrotate) or a remount still finds its journal,
// and a new file that got the same inode number never shares one.
import fs from 'node:fs';
import path from 'node:path';
import { at, pin, unpin } from '../fs/pinned-folders.js';
import { createOwnFile, makeOwnFolder, readOwnFile, stateFolderIn, tidyStateFolder, writeOwnFile } from './state-folder.js';
import { checkStateFolder, stateFolderName } from '../probe/own-folder.js';
import { dropPointer, leavePointer } from './stash-pointer.js';
import { recordKey, type Identity } from '../probe/identity.js';
import type { RunOwner } from '../probe/live-run.js';
import { CmemError } from '../errors.js';
import { closeJudged, fsyncDir, writeChunks } from './write-chunks.js';

export interface PartRecord {
  index: number;
  offset: number;
  length: number;
  crc: number;
  compressedSize: number;
  /** For bytes a writer appended: where they sat in FILE when saved, until the cut took them off. */
  at?: number;
}

export interface JournalManifest extends RunOwner {
  version: 3;
  kind: 'blocks';
  /** Shown in reports only; never matched: the device number changes with a remount. */
  dev: number;
  ino: number;
  /** Birth time in ns: with ino, the file's identity. */
  birth: string;
  /** statfs f_type of FILE's filesystem. */
  fsType: number;
  /** FILE's path when the job began, for the operator's eyes only: nothing acts on it. */
  name: string;
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
  output?: Identity;
  /** The .gz that stood at the output's name when the job began (-f): the only file its rename may replace. */
  replaces?: Identity;
  createdAt: string;
}

export interface JournalPaths {
  folder: string;
  manifest: string;
  /** Set for a journal in a stash: the place named, and its file's key for the pointer note. */
  stash?: { dir: string; key: string };
}

const BESIDE = /^\.(\d+-\d+)\.cmemgzip-blocks$/;

/** Beside FILE, in its folder: the folder that holds the parts and the manifest, named by FILE's identity. */
export function journalBeside(dir: string, id: Identity): JournalPaths {
  const folder = path.join(dir, `.${recordKey(id)}.cmemgzip-blocks`);
  return { folder, manifest: path.join(folder, 'manifest.json') };
}

/** A journal folder's name beside its file: -r passes such folders over. */
export const isJournalFolderName = (name: string) => name.startsWith('.') && name.endsWith('.cmemgzip-blocks');

/** The journals of any file beside dir's files (a finished job's file is gone; another's was renamed). */
export function journalsBeside(dir: string): JournalPaths[] {
  let names: string[];
  try {
    names = fs.readdirSync(at(dir)) as string[];
  } catch {
    return [];
  }
  return names.flatMap((name) => (BESIDE.test(name) ? [{ folder: path.join(dir, name), manifest: path.join(dir, name, 'manifest.json') }] : []));
}

/** In a stash: used only until FILE's filesystem has room for the journal. */
export function journalInStash(stashDir: string, id: Identity): JournalPaths {
  const key = recordKey(id);
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
    .flatMap((k) => (k ? [journalInStash(stashDir, { ino: Number(k[1]), birth: k[2] })] : []));
}

export const partPath = (j: JournalPaths, index: number) => path.join(j.folder, `part-${String(index).padStart(8, '0')}.gz`);

/** Creates the folder (and, in a stash, the state folder and the note) and holds it open until closeJournal. */
export function createJournal(j: JournalPaths): void {
  if (j.stash) {
    stateFolderIn(j.stash.dir, true);
    leavePointer(j.stash.dir, j.stash.key);
  }
  // A journal under this name that the rerun left alone (it did not prove itself this file's) is never taken over.
  if (checkStateFolder(j.folder) && readOwnFile(j.folder, 'manifest.json') !== undefined)
    throw new CmemError(
      'UNFINISHED',
      `${j.folder} holds the journal of an earlier block-mode job on this file that does not match it as it is now; it was left alone`,
      `look at its parts (zcat ${j.folder}/part-*.gz | less); once they are not needed, remove ${j.folder}, then run cmemgzip again`,
    );
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

const FACTS = ['dev', 'ino', 'fsType', 'size', 'blockSize', 'level', 'uid', 'gid', 'mode', 'atimeMs', 'mtimeMs', 'assembledParts', 'assembledBytes', 'pid'] as const;
const PART_FACTS = ['index', 'offset', 'length', 'crc', 'compressedSize'] as const;

/** The journal's manifest when it is of our shape and accept says it is this job's, else undefined. */
export function readJournal(j: JournalPaths, accept: (m: JournalManifest) => boolean): JournalManifest | undefined {
  try {
    const m = JSON.parse(readOwnFile(j.folder, 'manifest.json') ?? '') as JournalManifest;
    const shaped =
      m.version === 3 &&
      m.kind === 'blocks' &&
      /^\d+$/.test(m.birth) &&
      typeof m.name === 'string' &&
      FACTS.every((f) => Number.isSafeInteger(Math.trunc(m[f]))) &&
      Array.isArray(m.parts) &&
      m.parts.every((p) => PART_FACTS.every((f) => Number.isSafeInteger(p?.[f]) && p[f] >= 0) && (p.at === undefined || (Number.isSafeInteger(p.at) && p.at >= 0)));
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

/**
 * Removes the journal: its parts first, its manifest last, then the empty folder. A run stopped in between
 * leaves a manifest a rerun still finds and finishes (it says where every byte is), never a folder of parts
 * that no manifest names; only between the manifest's removal and the folder's is an empty folder left.
 */
export function removeJournal(j: JournalPaths): void {
  if (checkStateFolder(j.folder)) {
    for (const name of fs.readdirSync(at(j.folder))) if (path.join(j.folder, name) !== j.manifest) fs.rmSync(at(path.join(j.folder, name)), { recursive: true, force: true });
    fs.rmSync(at(j.manifest), { force: true });
    fs.rmSync(at(j.folder), { recursive: true, force: true });
    fsyncDir(path.dirname(j.folder));
  }
  closeJournal(j);
  if (!j.stash) return;
  dropPointer(j.stash.key);
  tidyStateFolder(path.dirname(j.folder));
}
