// Finds deleted files that processes still hold open (the '(deleted)' links under /proc/*/fd),
// grouped by file (device and inode), largest first: the space `rm` did not give back.
import fs from 'node:fs';
import { mountOf, readMounts } from './filesystem.js';
import { forEachFd, holderAt } from './holders.js';
import type { Holder, HolderScan } from './holder.js';
import { decode } from '../fs/raw-names.js';

export const DELETED_MARK = ' (deleted)';

export interface DeletedHolder extends Holder {
  /** /proc/PID/fd/N: the path through which the content can still be read and truncated. */
  link: string;
}

export interface DeletedFile {
  /** The name it had, as the kernel recorded it, without the ' (deleted)' mark. */
  path: string;
  dev: number;
  ino: number;
  size: number;
  /** Bytes allocated on disk: what truncating it gives back. */
  allocated: number;
  mountPoint: string;
  fsType: string;
  holders: DeletedHolder[];
}

export interface DeletedScan extends Omit<HolderScan, 'holders'> {
  files: DeletedFile[];
}

/** The name a /proc fd link points to when that file is deleted, else undefined. Memfds and anonymous files are not disk files. */
export function deletedName(target: string): string | undefined {
  if (!target.endsWith(DELETED_MARK) || !target.startsWith('/') || target.startsWith('/memfd:')) return undefined;
  return target.slice(0, -DELETED_MARK.length);
}

export function findDeletedOpen(procRoot = '/proc'): DeletedScan {
  const byInode = new Map<string, DeletedFile>();
  const mounts = readMounts();
  const seen = forEachFd((pid, fd) => {
    const link = `${procRoot}/${pid}/fd/${fd}`;
    let name: string | undefined;
    let st: fs.Stats;
    try {
      name = deletedName(decode(fs.readlinkSync(link, { encoding: 'buffer' })));
      if (name === undefined) return;
      st = fs.statSync(link);
    } catch {
      return;
    }
    if (!st.isFile()) return;
    const key = `${st.dev}:${st.ino}`;
    let file = byInode.get(key);
    if (!file) {
      const mount = mountOf(name, mounts);
      file = { path: name, dev: st.dev, ino: st.ino, size: st.size, allocated: st.blocks * 512, mountPoint: mount?.mountPoint ?? '?', fsType: mount?.type ?? '?', holders: [] };
      byInode.set(key, file);
    }
    file.holders.push({ ...holderAt(pid, fd, procRoot), link });
  }, procRoot);
  const files = [...byInode.values()].sort((a, b) => b.allocated - a.allocated || b.size - a.size);
  return { ...seen, files };
}
