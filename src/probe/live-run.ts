// Which run owns a record: its PID with the boot and the moment the process started, since a PID is
// reused (after a reboot, or once the kernel wraps around). Only a live process with all three, whose
// command line says cmemgzip, is another run at work; anything else is a run that was stopped.
import fs from 'node:fs';

export interface RunOwner {
  pid: number;
  /** The process's start time in clock ticks since boot (/proc/PID/stat, field 22). */
  pidStart?: string;
  /** /proc/sys/kernel/random/boot_id of the boot it ran in. */
  boot?: string;
}

const read = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The start time of a process, or undefined when it is gone or /proc cannot say. */
export function processStart(pid: number, procRoot = '/proc'): string | undefined {
  const stat = read(`${procRoot}/${pid}/stat`);
  // The command in parentheses may hold spaces and ')': fields are counted after the last one.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

export const bootId = (procRoot = '/proc'): string | undefined => read(`${procRoot}/sys/kernel/random/boot_id`)?.trim();

/** This process, as a record names its owner. */
export const thisRun = (): RunOwner => ({ pid: process.pid, pidStart: processStart(process.pid), boot: bootId() });

export function runningElsewhere(owner: RunOwner, procRoot = '/proc'): boolean {
  const { pid } = owner;
  // Our own PID: this run, or one that had it before and so is gone.
  if (pid === process.pid) return false;
  const boot = bootId(procRoot);
  if (owner.boot && boot && owner.boot !== boot) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStart(pid, procRoot);
  if (owner.pidStart && start && owner.pidStart !== start) return false;
  const cmdline = read(`${procRoot}/${pid}/cmdline`);
  // Alive but unreadable: assume the worst, a run of ours.
  return cmdline === undefined || cmdline.includes('cmemgzip');
}
