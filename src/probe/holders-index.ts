// One pass over every process's descriptors, indexed by device and inode: many files looked up in one
// reading of /proc, instead of one reading per file.
import fs from 'node:fs';
import { forEachFd, holderAt } from './holders.js';
import type { Holder, HolderScan } from './holder.js';

export interface HoldersIndex extends Omit<HolderScan, 'holders'> {
  /** The processes holding dev:ino open when the pass was made (command and flags read now). */
  find(dev: number, ino: number): Holder[];
}

export function indexHolders(procRoot = '/proc'): HoldersIndex {
  const open = new Map<string, [string, string][]>();
  const seen = forEachFd((pid, fd) => {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(`${procRoot}/${pid}/fd/${fd}`, { throwIfNoEntry: false });
    } catch {
      return; // closed meanwhile, or a descriptor that cannot be followed
    }
    if (!st?.isFile()) return;
    const key = `${st.dev}:${st.ino}`;
    const at = open.get(key);
    if (at) at.push([pid, fd]);
    else open.set(key, [[pid, fd]]);
  }, procRoot);
  return { ...seen, find: (dev, ino) => (open.get(`${dev}:${ino}`) ?? []).map(([pid, fd]) => holderAt(pid, fd, procRoot)) };
}
