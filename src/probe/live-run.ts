// Whether the PID a stash or journal records is another cmemgzip still at work, not a crashed one.
import fs from 'node:fs';

export function runningElsewhere(pid: number, procRoot = '/proc'): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return fs.readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8').includes('cmemgzip');
  } catch {
    // Alive but unreadable: assume the worst, a run of ours.
    return true;
  }
}
