// Block mode's journal: a folder of part files (one gzip member per block) and a manifest that
// records every durable step, so that a run killed at any moment can be resumed from it.
import fs from 'node:fs';
import path from 'node:path';
import { dropPointer, leavePointer, STASH_FOLDER, stashKey } from './stash-pointer.js';
import { fsyncDir, writeChunks } from './write-chunks.js';

export interface PartRecord {
  index: number;
  offset: number;
  length: number;
  crc: number;
  compressedSize: number;
  /** Absolute path: the journal folder, or the stash for the first part written at 0 bytes free. */
  path: string;
}

export interface JournalManifest {
  version: 1;
  kind: 'blocks';
  file: string;
  outputPath: string;
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
  pid: number;
  createdAt: string;
}

export interface JournalPaths {
  folder: string;
  manifest: string;
  /** Set for a journal in a stash: dev-ino of its file, for the pointer note. */
  stashKey?: string;
}

/** Beside FILE: the folder that holds the parts and the manifest. */
export function journalBeside(file: string): JournalPaths {
  const folder = path.join(path.dirname(file), `.${path.basename(file)}.cmemgzip-blocks`);
  return { folder, manifest: path.join(folder, 'manifest.json') };
}

/** In a stash: used only until FILE's filesystem has room for the journal. */
export function journalInStash(stashDir: string, dev: number, ino: number): JournalPaths {
  const folder = path.join(path.resolve(stashDir), STASH_FOLDER, `${stashKey(dev, ino)}.blocks`);
  return { folder, manifest: path.join(folder, 'manifest.json'), stashKey: stashKey(dev, ino) };
}

export const partPath = (j: JournalPaths, index: number) => path.join(j.folder, `part-${String(index).padStart(8, '0')}.gz`);

export function createJournal(j: JournalPaths): void {
  if (j.stashKey) leavePointer(path.dirname(path.dirname(j.folder)), j.stashKey);
  fs.mkdirSync(j.folder, { recursive: true, mode: 0o700 });
  fsyncDir(path.dirname(j.folder));
}

export function writeJournal(j: JournalPaths, manifest: JournalManifest): void {
  const temp = `${j.manifest}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(manifest)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, j.manifest);
  fsyncDir(j.folder);
}

export function readJournal(j: JournalPaths): JournalManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(j.manifest, 'utf8')) as JournalManifest;
    return m.kind === 'blocks' ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a part durably (file and folder fsynced); a leftover of the same name from a killed run is replaced. */
export function writePart(file: string, chunks: readonly Buffer[]): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
  try {
    writeChunks(fd, chunks);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fsyncDir(path.dirname(file));
}

/** Removes the journal: manifest first, so that a half-removed journal is never mistaken for a live one. */
export function removeJournal(j: JournalPaths): void {
  fs.rmSync(j.manifest, { force: true });
  fs.rmSync(j.folder, { recursive: true, force: true });
  if (j.stashKey) dropPointer(j.stashKey);
  if (path.basename(path.dirname(j.folder)) !== STASH_FOLDER) return;
  try {
    fs.rmdirSync(path.dirname(j.folder));
  } catch {
    /* other stashes still there */
  }
}
