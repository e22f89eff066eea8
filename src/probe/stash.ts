// Places a stash copy can go: another filesystem than the file's, writable, whose state folder (if one
// is there already) can be trusted. A folder that cannot is reported and passed over, never used.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { findStateFolder } from './own-folder.js';
import { probeFilesystem, type FsFacts } from './filesystem.js';
import { euid } from '../fs/safe-path.js';
import { fsPath, realPath } from '../fs/raw-names.js';

export interface StashCandidate {
  dir: string;
  fs: FsFacts;
  /** Named by the operator (--stash, or -o's folder) rather than found by looking. */
  explicit: boolean;
}

/**
 * Where we look when the operator names no stash, and where notes and journals of a --stash job are
 * found again: the temporary folders, which are usually on a disk, then the user's own runtime folder
 * and /dev/shm, which are in RAM. CMEMGZIP_STATE_DIRS (colon-separated) replaces the list, for tests
 * and for hosts whose spare disk is mounted elsewhere.
 */
export function defaultStashDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.CMEMGZIP_STATE_DIRS) return env.CMEMGZIP_STATE_DIRS.split(':').filter(Boolean);
  const uid = euid();
  return ['/var/tmp', '/tmp', uid === 0 ? '/run' : `/run/user/${uid}`, '/dev/shm'];
}

function usable(dir: string, onRefused: (err: CmemError) => void): FsFacts | undefined {
  try {
    if (!fs.statSync(fsPath(dir)).isDirectory()) return undefined;
    fs.accessSync(fsPath(dir), fs.constants.W_OK);
    findStateFolder(dir);
    return probeFilesystem(dir);
  } catch (err) {
    if (err instanceof CmemError) onRefused(err);
    return undefined;
  }
}

/**
 * Candidates on another filesystem than fileDev, explicit ones first, each filesystem once. With
 * noStash the list is empty. A default place that is not safe is passed over (onRefused hears why);
 * one the operator named is refused outright: the run stops with FILE untouched rather than go elsewhere.
 */
export function stashCandidates(
  fileDev: number,
  explicitDirs: readonly string[],
  noStash: boolean,
  onRefused: (why: string) => void = () => {},
  defaults: readonly string[] = defaultStashDirs(),
): StashCandidate[] {
  if (noStash) return [];
  const seen = new Set<number>([fileDev]);
  const out: StashCandidate[] = [];
  const add = (dir: string, explicit: boolean) => {
    const facts = usable(dir, (err) => {
      if (explicit) throw err;
      onRefused(err.message);
    });
    if (!facts || seen.has(facts.dev)) return;
    seen.add(facts.dev);
    out.push({ dir, fs: facts, explicit });
  };
  explicitDirs.forEach((dir) => add(dir, true));
  defaults.forEach((dir) => add(dir, false));
  // A copy on a disk survives a power cut, one in RAM does not: disks first, and no network without a word.
  const found = out.filter((c) => c.explicit || !c.fs.network);
  out.filter((c) => !found.includes(c)).forEach((c) => onRefused(`${c.dir} is on a network filesystem (${c.fs.type}); name it with --stash to use it for the safety copy`));
  const rank = (c: StashCandidate) => (c.explicit ? 0 : c.fs.ramBacked ? 2 : 1);
  return found.sort((a, b) => rank(a) - rank(b));
}

/**
 * Each folder once, by its real path: /run/shm is often a symlink to /dev/shm. Missing folders are kept as
 * named. Each name is resolved once (-r hands the folder of every file it compressed).
 */
export function uniqueDirs(dirs: readonly string[]): string[] {
  const byReal = new Map<string, string>();
  for (const dir of new Set(dirs)) {
    let real: string;
    try {
      real = realPath(dir);
    } catch {
      real = path.resolve(dir);
    }
    if (!byReal.has(real)) byReal.set(real, real);
  }
  return [...byReal.values()];
}
