// Places a stash copy can go: another filesystem than the file's, writable, preferably RAM-backed.
import fs from 'node:fs';
import path from 'node:path';
import { probeFilesystem, type FsFacts } from './filesystem.js';

export interface StashCandidate {
  dir: string;
  fs: FsFacts;
  /** Named by the operator (--stash, or -o's folder) rather than found by looking. */
  explicit: boolean;
}

/** Where we look when the operator names no stash: RAM-backed folders first, then /tmp. */
export const DEFAULT_STASH_DIRS = ['/dev/shm', '/run/shm', '/tmp', '/var/tmp'];

function usable(dir: string): FsFacts | undefined {
  try {
    if (!fs.statSync(dir).isDirectory()) return undefined;
    fs.accessSync(dir, fs.constants.W_OK);
    return probeFilesystem(dir);
  } catch {
    return undefined;
  }
}

/**
 * Candidates on another filesystem than fileDev, explicit ones first, each filesystem once.
 * With noStash the list is empty; defaults is overridable so tests can point elsewhere.
 */
export function stashCandidates(
  fileDev: number,
  explicitDirs: readonly string[],
  noStash: boolean,
  defaults: readonly string[] = DEFAULT_STASH_DIRS,
): StashCandidate[] {
  if (noStash) return [];
  const seen = new Set<number>([fileDev]);
  const out: StashCandidate[] = [];
  const add = (dir: string, explicit: boolean) => {
    const facts = usable(dir);
    if (!facts || seen.has(facts.dev)) return;
    seen.add(facts.dev);
    out.push({ dir, fs: facts, explicit });
  };
  explicitDirs.forEach((dir) => add(dir, true));
  defaults.forEach((dir) => add(dir, false));
  return out;
}

/** Each folder once, by its real path: /run/shm is often a symlink to /dev/shm. Missing folders are kept as named. */
export function uniqueDirs(dirs: readonly string[]): string[] {
  const byReal = new Map<string, string>();
  for (const dir of dirs) {
    let real: string;
    try {
      real = fs.realpathSync(dir);
    } catch {
      real = path.resolve(dir);
    }
    if (!byReal.has(real)) byReal.set(real, real);
  }
  return [...byReal.values()];
}
