// Memory this process may use: MemAvailable, capped by a cgroup v2 limit when one is set.
import fs from 'node:fs';
import os from 'node:os';

function readNumber(file: string, pattern?: RegExp): number | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const m = pattern ? pattern.exec(text) : /^(\d+)\s*$/.exec(text);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function availableMemory(): number {
  const kib = readNumber('/proc/meminfo', /^MemAvailable:\s+(\d+) kB/m);
  const system = kib === undefined ? os.freemem() : kib * 1024;
  const limit = readNumber('/sys/fs/cgroup/memory.max');
  const used = readNumber('/sys/fs/cgroup/memory.current');
  if (limit === undefined || used === undefined) return system;
  return Math.max(0, Math.min(system, limit - used));
}
