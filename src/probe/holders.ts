// Finds the processes that hold a file open, by device and inode, through /proc/*/fd.
import fs from 'node:fs';
import type { Holder, HolderScan } from './holder.js';
import { lsofHolders } from './lsof.js';
import { hiddenByMount } from './proc-visibility.js';

const O_ACCMODE = 0o3;
const O_APPEND = 0o2000;

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function fdFlags(procRoot: string, pid: string, fd: string): number {
  const info = readText(`${procRoot}/${pid}/fdinfo/${fd}`) ?? '';
  const m = /^flags:\s*([0-7]+)/m.exec(info);
  return m ? parseInt(m[1], 8) : 0;
}

/** Who holds /proc/PID/fd/FD and how: command name and access flags from fdinfo. */
export function holderAt(pid: string, fd: string, procRoot = '/proc'): Holder {
  const flags = fdFlags(procRoot, pid, fd);
  return {
    pid: Number(pid),
    command: (readText(`${procRoot}/${pid}/comm`) ?? '?').trim(),
    fd: Number(fd),
    writes: (flags & O_ACCMODE) !== 0,
    appends: (flags & O_APPEND) !== 0,
  };
}

/**
 * Calls visit for every descriptor of every process we may inspect (ourselves excluded).
 * Returns whether /proc exists and how many processes were hidden from us.
 */
export function forEachFd(visit: (pid: string, fd: string) => void, procRoot = '/proc'): Omit<HolderScan, 'holders'> {
  let pids: string[];
  try {
    pids = fs.readdirSync(procRoot).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return { checked: false, hidden: 0 };
  }
  let hidden = 0;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`${procRoot}/${pid}/fd`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') hidden++;
      continue;
    }
    for (const fd of fds) visit(pid, fd);
  }
  return { checked: true, hidden, invisible: hiddenByMount(procRoot) };
}

/** By device and inode through /proc; where there is no /proc, by name through lsof when it is installed. */
export function findHolders(dev: number, ino: number, procRoot = '/proc', file?: string): HolderScan {
  if (file !== undefined && !fs.existsSync(procRoot)) return lsofHolders(file);
  const holders: Holder[] = [];
  const seen = forEachFd((pid, fd) => {
    let st: fs.Stats;
    try {
      st = fs.statSync(`${procRoot}/${pid}/fd/${fd}`);
    } catch {
      return;
    }
    if (st.dev === dev && st.ino === ino) holders.push(holderAt(pid, fd, procRoot));
  }, procRoot);
  return { ...seen, holders };
}
