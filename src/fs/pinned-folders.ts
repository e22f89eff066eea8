// Folders held open by descriptor while a job works in them. A name in a pinned folder resolves through
// /proc/self/fd, so a folder swapped for a symlink after the checks cannot redirect a create, a rename or
// an unlink: they land in the very folder that was checked, wherever its path points now.
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { fsPath } from './raw-names.js';
import { resolveTrusted } from './safe-path.js';

interface Pin {
  fd: number;
  dev: number;
  ino: number;
  count: number;
}

const pins = new Map<string, Pin>();
/** The folders a job pinned, so that its end lets go of exactly those (jobs of -r run side by side). */
const jobPins = new AsyncLocalStorage<string[]>();
const viaProc = fs.existsSync('/proc/self/fd');

/**
 * Opens dir, following only symlinks owned by root or by us (resolveTrusted), and holds it until unpin.
 * The folder opened must be the inode the walk found: a swap between the walk and the open is refused.
 * A folder inside a pinned one is opened through it, never following a symlink.
 */
export function pin(dir: string): void {
  const abs = path.resolve(dir);
  const held = pins.get(abs);
  if (held) {
    held.count++;
    jobPins.getStore()?.push(abs);
    return;
  }
  // Inside a pinned folder the name is looked up there, never walked again from /.
  const inPinned = pins.has(path.dirname(abs));
  const expect = inPinned ? undefined : resolveTrusted(abs);
  const fd = fs.openSync(expect ? fsPath(expect.real) : at(abs), fs.constants.O_RDONLY | fs.constants.O_DIRECTORY | fs.constants.O_NOFOLLOW);
  const st = fs.fstatSync(fd);
  if (expect && (st.dev !== expect.dev || st.ino !== expect.ino)) {
    fs.closeSync(fd);
    throw new CmemError('CHANGED', `${abs} was replaced while it was checked; nothing was touched`, 'look at who changes that folder, then run cmemgzip again');
  }
  pins.set(abs, { fd, dev: st.dev, ino: st.ino, count: 1 });
  jobPins.getStore()?.push(abs);
}

function release(abs: string): void {
  const held = pins.get(abs);
  if (!held || --held.count > 0) return;
  pins.delete(abs);
  fs.closeSync(held.fd);
}

export function unpin(dir: string): void {
  const abs = path.resolve(dir);
  const mine = jobPins.getStore();
  const at = mine?.lastIndexOf(abs) ?? -1;
  if (at >= 0) mine!.splice(at, 1);
  release(abs);
}

/** The descriptor of a pinned folder, for fsync. */
export const pinnedFd = (dir: string): number | undefined => pins.get(path.resolve(dir))?.fd;

/** The name to hand the kernel for file: through its folder's descriptor when that folder is pinned; as bytes when it is not UTF-8. */
export function at(file: string): string | Buffer {
  if (!viaProc || pins.size === 0) return fsPath(file);
  const abs = normalAbsolute(file) ? file : path.resolve(file);
  const slash = abs.lastIndexOf('/');
  const held = pins.get(slash === 0 ? '/' : abs.slice(0, slash));
  return fsPath(held ? `/proc/self/fd/${held.fd}/${abs.slice(slash + 1)}` : file);
}

/** A name path.resolve would give back unchanged; -r hands at() some twenty a file, nearly all of them so. */
const normalAbsolute = (file: string): boolean => file.charCodeAt(0) === 0x2f && !UNNORMAL.test(file);
/** An empty name (//), a . or .. name, or a trailing slash. */
const UNNORMAL = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

/**
 * Runs fn with dirs pinned; when it ends, every pin it made (and any made inside it and not let go) is
 * let go, so that a job that failed half-way leaks no descriptor, and a job beside it keeps its own.
 */
export async function withPinned<T>(dirs: readonly string[], fn: () => Promise<T>): Promise<T> {
  const mine: string[] = [];
  return jobPins.run(mine, async () => {
    try {
      dirs.forEach(pin);
      return await fn();
    } finally {
      for (const abs of mine.splice(0)) release(abs);
    }
  });
}
