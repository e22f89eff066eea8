// The stash: a durable copy of the .gz on another filesystem, with a manifest that lets a later run
// finish the job after a crash. Data is written before its manifest, and the manifest removed first,
// so a data file without a manifest is always an incomplete copy that nothing depends on. Both live in
// the user's own state folder, named by the file's identity (inode and birth time, which survive a
// remount); a manifest holds facts and proves it is the file's before anything acts on it, never a path.
import type { AppendTarget } from './append-archive.js';
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { uniqueDirs } from '../probe/stash.js';
import { createOwnFile, readOwnFile, stateFolderIn, tidyStateFolder, writeOwnFile } from './state-folder.js';
import { checkStateFolder, stateFolderName } from '../probe/own-folder.js';
import { dropPointer, leavePointer } from './stash-pointer.js';
import { closeJudged, fsyncDir, writeChunks } from './write-chunks.js';
import { at } from '../fs/pinned-folders.js';
import { recordKey, sameIdentity, type Identity } from '../probe/identity.js';
import { thisRun, type RunOwner } from '../probe/live-run.js';

export type StashPhase = 'stashed' | 'rewriting';

export interface StashManifest extends RunOwner {
  version: 3;
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
  crc: number;
  compressedSize: number;
  uid: number;
  gid: number;
  mode: number;
  atimeMs: number;
  mtimeMs: number;
  /** stashed: FILE not yet touched. rewriting: FILE may hold part of the .gz; finish from the stash. */
  phase: StashPhase;
  /** FILE is emptied in place, never rewritten (a process writes to it): finishing writes the .gz from the stash. */
  copytruncate?: boolean;
  /** On copy-on-write filesystems, the new .gz's identity, recorded before FILE is unlinked: it finds the job once FILE is gone. */
  output?: Identity;
  /** A repeated --copytruncate: the earlier archive the stash's member is appended to, and its length before. */
  appendTo?: AppendTarget;
  createdAt: string;
}

export interface StashPaths {
  /** The identity (ino-birth) of the file it belongs to. */
  key: string;
  /** The place the operator or the defaults named; the state folder is inside it. */
  dir: string;
  folder: string;
  data: string;
  manifest: string;
}

/** The manifest of a new stash for a file as probed: facts only, phase 'stashed'. */
export function newStashManifest(
  facts: Pick<FileFacts, 'dev' | 'ino' | 'birth' | 'uid' | 'gid' | 'mode' | 'atimeMs' | 'mtimeMs'>,
  where: { fsType: number; name: string },
  content: { size: number; crc: number },
  compressedSize: number,
  copytruncate = false,
): StashManifest {
  const { dev, ino, birth, uid, gid, mode, atimeMs, mtimeMs } = facts;
  return {
    version: 3, dev, ino, birth, ...where, size: content.size, crc: content.crc, compressedSize, uid, gid, mode, atimeMs, mtimeMs,
    phase: 'stashed', ...(copytruncate ? { copytruncate } : {}), ...thisRun(), createdAt: new Date().toISOString(),
  };
}

export function stashPaths(dir: string, id: Identity): StashPaths {
  const key = recordKey(id);
  const folder = path.join(path.resolve(dir), stateFolderName());
  return { key, dir: path.resolve(dir), folder, data: path.join(folder, `${key}.gz`), manifest: path.join(folder, `${key}.json`) };
}

const writeManifest = (paths: StashPaths, manifest: StashManifest) => writeOwnFile(paths.folder, `${paths.key}.json`, `${JSON.stringify(manifest, null, 2)}\n`);

/** Another job's record under this key (left alone because it did not prove itself this file's) is never replaced. */
function refuseOccupied(paths: StashPaths): void {
  if (readOwnFile(paths.folder, `${paths.key}.json`) === undefined) return;
  throw new CmemError(
    'UNFINISHED',
    `${paths.manifest} holds the record of an earlier job on this file that does not match it as it is now; it was left alone, and no safety copy is made over it`,
    `look at it (zcat ${paths.data} | less); once it is not needed, remove ${paths.data} and ${paths.manifest}, then run cmemgzip again`,
  );
}

/** Writes and verifies the copy, then its manifest; on failure leaves nothing behind. began runs once the names are known to be free for ours. */
export async function writeStash(
  paths: StashPaths,
  manifest: StashManifest,
  chunks: readonly Buffer[],
  verify: (file: string) => Promise<void>,
  began: () => void = () => {},
): Promise<void> {
  stateFolderIn(paths.dir, true);
  refuseOccupied(paths);
  began();
  leavePointer(paths.dir, paths.key);
  let fd: number | undefined;
  try {
    fd = createOwnFile(paths.folder, `${paths.key}.gz`);
    writeChunks(fd, chunks);
    fs.fsyncSync(fd);
    closeJudged(fd);
    fd = undefined;
    fsyncDir(paths.folder);
    await verify(paths.data);
    writeManifest(paths, manifest);
  } catch (err) {
    if (fd !== undefined) closeJudged(fd);
    removeStash(paths);
    throw err;
  }
}

export function setStashPhase(paths: StashPaths, manifest: StashManifest, phase: StashPhase): StashManifest {
  const next = { ...manifest, phase };
  writeManifest(paths, next);
  return next;
}

/** Removes the stash (manifest first) and its note; a state folder that fails its check is left alone. */
export function removeStash(paths: StashPaths): void {
  if (!checkStateFolder(paths.folder)) return dropPointer(paths.key);
  fs.rmSync(at(paths.manifest), { force: true });
  fs.rmSync(at(`${paths.manifest}.tmp`), { force: true });
  fs.rmSync(at(paths.data), { force: true });
  fsyncDir(paths.folder);
  dropPointer(paths.key);
  tidyStateFolder(paths.folder);
}

export interface FoundStash {
  paths: StashPaths;
  manifest?: StashManifest;
}

const FACTS = ['dev', 'ino', 'fsType', 'size', 'crc', 'compressedSize', 'uid', 'gid', 'mode', 'atimeMs', 'mtimeMs', 'pid'] as const;

/** A manifest of ours for key, or undefined: any other shape is no manifest at all. */
export function parseStashManifest(text: string | undefined, key: string): StashManifest | undefined {
  try {
    const m = JSON.parse(text ?? '') as StashManifest;
    const shaped =
      m.version === 3 && FACTS.every((f) => Number.isFinite(m[f])) && /^\d+$/.test(m.birth) && typeof m.name === 'string' && (m.phase === 'stashed' || m.phase === 'rewriting');
    return shaped && recordKey(m) === key ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The complete stashes whose job writes one of these files (a temporary or the .gz): jobs whose FILE is gone. */
export function findStashesByOutput(dirs: readonly string[], outputs: readonly Identity[], onRefused: (why: string) => void): FoundStash[] {
  const found: FoundStash[] = [];
  for (const dir of uniqueDirs(dirs)) {
    let folder: string | undefined;
    try {
      folder = stateFolderIn(dir, false);
    } catch (err) {
      if (err instanceof CmemError) onRefused(err.message);
      continue;
    }
    if (!folder) continue;
    for (const name of fs.readdirSync(at(folder))) {
      const key = /^(\d+-\d+)\.json$/.exec(name)?.[1];
      const manifest = key ? parseStashManifest(readOwnFile(folder, name), key) : undefined;
      if (manifest && outputs.some((o) => sameIdentity(o, manifest.output))) found.push({ paths: stashPaths(dir, manifest), manifest });
    }
  }
  return found;
}

/**
 * The stash entries for these keys in the given places, complete (with a manifest) or not. A place
 * whose state folder fails its check is reported through onRefused and not looked into.
 */
export function findStashes(dirs: readonly string[], keys: readonly string[], onRefused: (why: string) => void): FoundStash[] {
  const found: FoundStash[] = [];
  for (const dir of uniqueDirs(dirs)) {
    for (const key of new Set(keys)) {
      const [ino, birth] = key.split('-');
      const paths = stashPaths(dir, { ino: Number(ino), birth });
      try {
        if (!checkStateFolder(paths.folder) || !fs.lstatSync(at(paths.data), { throwIfNoEntry: false })?.isFile()) continue;
      } catch (err) {
        if (err instanceof CmemError) onRefused(err.message);
        break;
      }
      found.push({ paths, manifest: parseStashManifest(readOwnFile(paths.folder, `${key}.json`), key) });
    }
  }
  return found;
}
