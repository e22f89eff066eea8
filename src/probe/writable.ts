// Whether FILE and its folders can be changed, found before anything is written: a read-only mount,
// chattr +i / +a, or no permission. Opening for writing (no O_TRUNC, no O_CREAT) changes nothing.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fsPath } from '../fs/raw-names.js';

/** read-only: the mount (EROFS); immutable, append-only: chattr +i / +a (EPERM, even for root); denied: EACCES. */
export type WriteBlock = 'read-only' | 'immutable' | 'append-only' | 'denied';

const FLAGS = fs.constants.O_WRONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

function blockOf(err: unknown): WriteBlock | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return 'read-only';
  if (code === 'EPERM') return 'immutable';
  if (code === 'EACCES') return 'denied';
  throw err;
}

function tryOpen(file: string, flags: number): WriteBlock | undefined {
  try {
    fs.closeSync(fs.openSync(fsPath(file), flags));
    return undefined;
  } catch (err) {
    return blockOf(err);
  }
}

/** Why FILE cannot be rewritten, truncated or removed, or undefined when it can. */
export function fileWriteBlock(file: string): WriteBlock | undefined {
  const block = tryOpen(file, FLAGS);
  // An append-only file opens for appending, an immutable one for nothing.
  if (block === 'immutable' && tryOpen(file, FLAGS | fs.constants.O_APPEND) === undefined) return 'append-only';
  return block;
}

const flagsSeen = new Map<string, string>();

/** A folder's chattr flags from lsattr (Node has no FS_IOC_GETFLAGS), once per folder a run; '' where lsattr cannot tell. */
function folderFlags(dir: string): string {
  let flags = flagsSeen.get(dir);
  if (flags === undefined) {
    const r = spawnSync('lsattr', ['-d', '--', dir], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    flags = r.status === 0 ? r.stdout.split(' ')[0] : '';
    flagsSeen.set(dir, flags);
  }
  return flags;
}

/**
 * Why entries cannot be created, renamed or removed in dir, or undefined when they can: access() sees a ro
 * mount and chattr +i, but not +a, which lets our temporary be made and then never renamed nor removed.
 */
export function folderWriteBlock(dir: string): WriteBlock | undefined {
  try {
    fs.accessSync(fsPath(dir), fs.constants.W_OK);
  } catch (err) {
    return blockOf(err);
  }
  return folderFlags(dir).includes('a') ? 'append-only' : undefined;
}

export interface Unwritable {
  path: string;
  what: 'file' | 'folder';
  why: WriteBlock;
}

/** The first of what a run must change that cannot be: FILE and its folder (unless -k keeps it), the output's folder. */
export function unwritableFor(file: string, dir: string, outputDir: string, keep: boolean): Unwritable | undefined {
  const output: [string, 'file' | 'folder', (p: string) => WriteBlock | undefined] = [outputDir, 'folder', folderWriteBlock];
  // The .gz beside FILE (the usual case): its folder is FILE's, asked once.
  const checks = keep ? [output] : [[file, 'file', fileWriteBlock] as const, [dir, 'folder', folderWriteBlock] as const, ...(outputDir === dir ? [] : [output])];
  for (const [p, what, check] of checks) {
    const why = check(p);
    if (why) return { path: p, what, why };
  }
  return undefined;
}
