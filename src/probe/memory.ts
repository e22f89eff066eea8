// Memory this process may use: MemAvailable, capped by the cgroup v2 limits of its own cgroup and its ancestors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';

function readNumber(file: string, pattern?: RegExp): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const m = pattern ? pattern.exec(text) : /^(\d+)\s*$/.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** This process's cgroup v2 path ("0::/path" in /proc/self/cgroup), "/" when unknown. */
function ownCgroup(): string {
  try {
    return /^0::(\/.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
  } catch {
    return '/';
  }
}

/** Its folder and every ancestor's: a service's limit sits in its own cgroup (system.slice/x.service), not at the root. */
function cgroupDirs(): string[] {
  const dirs: string[] = [];
  for (let p = ownCgroup(); ; p = path.posix.dirname(p)) {
    dirs.push(path.posix.join(CGROUP_ROOT, p));
    if (p === '/') return dirs;
  }
}

export function availableMemory(): number {
  const kib = readNumber('/proc/meminfo', /^MemAvailable:\s+(\d+) kB/m);
  let available = kib === undefined ? os.freemem() : kib * 1024;
  for (const dir of cgroupDirs()) {
    const limit = readNumber(`${dir}/memory.max`);
    const used = readNumber(`${dir}/memory.current`);
    if (limit !== undefined && used !== undefined) available = Math.min(available, Math.max(0, limit - used));
  }
  return available;
}
