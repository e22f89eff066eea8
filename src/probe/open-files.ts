// The limit on this process's open descriptors (RLIMIT_NOFILE), which bounds how many files may be in
// flight at once: Node raises the soft limit to the hard one at start, so what /proc shows is what applies.
import fs from 'node:fs';

/** The soft limit on open files; Infinity where it cannot be read (no /proc, or "unlimited"). */
export function openFilesLimit(limits = '/proc/self/limits'): number {
  try {
    const line = fs.readFileSync(limits, 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
    return Number.isFinite(soft) && soft > 0 ? soft : Infinity;
  } catch {
    return Infinity;
  }
}
