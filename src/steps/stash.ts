// The stash: a durable copy of the .gz on another filesystem, with a manifest that lets a later run
// finish the job after a crash. Data is written before its manifest, and the manifest removed first,
// so a data file without a manifest is always an incomplete copy that nothing depends on.
import fs from 'node:fs';
import path from 'node:path';
import { uniqueDirs } from '../probe/stash.js';
import { dropPointer, leavePointer, STASH_FOLDER, stashKey } from './stash-pointer.js';
import { fsyncDir, writeChunks } from './write-chunks.js';

export type StashPhase = 'stashed' | 'rewriting';

export interface StashManifest {
  version: 1;
  file: string;
  outputPath: string;
  dev: number;
  ino: number;
  size: number;
  crc: number;
  compressedSize: number;
  uid: number;
  gid: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
  /** stashed: FILE not yet touched. rewriting: FILE may hold part of the .gz; finish from the stash. */
  phase: StashPhase;
  /** FILE is emptied in place, never rewritten (a process writes to it): finishing writes outputPath from the stash. */
  copytruncate?: boolean;
  pid: number;
  createdAt: string;
}

export interface StashPaths {
  /** dev-ino of the file it belongs to. */
  key: string;
  folder: string;
  data: string;
  manifest: string;
}

export { STASH_FOLDER };

export function stashPaths(dir: string, dev: number, ino: number): StashPaths {
  const folder = path.join(path.resolve(dir), STASH_FOLDER);
  return { key: stashKey(dev, ino), folder, data: path.join(folder, `${dev}-${ino}.gz`), manifest: path.join(folder, `${dev}-${ino}.json`) };
}

function writeManifest(paths: StashPaths, manifest: StashManifest): void {
  const temp = `${paths.manifest}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  const fd = fs.openSync(temp, 'r');
  fs.fsyncSync(fd);
  fs.closeSync(fd);
  fs.renameSync(temp, paths.manifest);
  fsyncDir(paths.folder);
}

/** Writes and verifies the copy, then its manifest; on failure leaves nothing behind. */
export async function writeStash(
  paths: StashPaths,
  manifest: StashManifest,
  chunks: readonly Buffer[],
  verify: (file: string) => Promise<void>,
): Promise<void> {
  leavePointer(path.dirname(paths.folder), paths.key);
  fs.mkdirSync(paths.folder, { recursive: true, mode: 0o700 });
  const fd = fs.openSync(paths.data, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  try {
    writeChunks(fd, chunks);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fsyncDir(paths.folder);
    await verify(paths.data);
    writeManifest(paths, manifest);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      /* already closed */
    }
    removeStash(paths);
    throw err;
  }
}

export function setStashPhase(paths: StashPaths, manifest: StashManifest, phase: StashPhase): StashManifest {
  const next = { ...manifest, phase };
  writeManifest(paths, next);
  return next;
}

export function removeStash(paths: StashPaths): void {
  fs.rmSync(paths.manifest, { force: true });
  fs.rmSync(`${paths.manifest}.tmp`, { force: true });
  fs.rmSync(paths.data, { force: true });
  dropPointer(paths.key);
  try {
    fs.rmdirSync(paths.folder);
  } catch {
    /* other stashes still there, or already gone */
  }
}

export interface FoundStash {
  paths: StashPaths;
  manifest?: StashManifest;
}

/** Every stash entry in the given folders, complete (with a manifest) or not. */
export function findStashes(dirs: readonly string[]): FoundStash[] {
  const found: FoundStash[] = [];
  for (const dir of uniqueDirs(dirs)) {
    let names: string[];
    try {
      names = fs.readdirSync(path.join(dir, STASH_FOLDER));
    } catch {
      continue;
    }
    for (const name of names) {
      const m = /^(\d+)-(\d+)\.gz$/.exec(name);
      if (!m) continue;
      const paths = stashPaths(dir, Number(m[1]), Number(m[2]));
      let manifest: StashManifest | undefined;
      try {
        manifest = JSON.parse(fs.readFileSync(paths.manifest, 'utf8')) as StashManifest;
      } catch {
        manifest = undefined;
      }
      found.push({ paths, manifest });
    }
  }
  return found;
}
