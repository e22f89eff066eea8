// Finds the files processes map into memory (/proc/*/maps): cutting such a file kills them with SIGBUS.
import fs from 'node:fs';

export const fileKey = (dev: number, ino: number) => `${dev}:${ino}`;

/** The st_dev number the kernel reports for a major:minor pair as /proc/PID/maps prints it (hex). */
export function devOf(majorHex: string, minorHex: string): number {
  const major = parseInt(majorHex, 16);
  const minor = parseInt(minorHex, 16);
  return ((major & 0xfff) << 8) + (minor & 0xff) + (minor & ~0xff) * 2 ** 12 + Math.floor(major / 0x1000) * 2 ** 44;
}

/** The PIDs mapping each file, keyed by fileKey(dev, ino); our own process is left out. */
export function mappedFiles(procRoot = '/proc'): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let pids: string[];
  try {
    pids = fs.readdirSync(procRoot).filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid);
  } catch {
    return out;
  }
  for (const pid of pids) {
    let maps: string;
    try {
      maps = fs.readFileSync(`${procRoot}/${pid}/maps`, 'utf8');
    } catch {
      continue;
    }
    for (const m of maps.matchAll(/^\S+ \S+ \S+ ([0-9a-f]+):([0-9a-f]+) (\d+)/gm)) {
      if (m[3] === '0') continue;
      const key = fileKey(devOf(m[1], m[2]), Number(m[3]));
      if (!out.has(key)) out.set(key, new Set());
      out.get(key)!.add(Number(pid));
    }
  }
  return out;
}

export function findMappers(dev: number, ino: number, procRoot = '/proc'): number[] {
  return [...(mappedFiles(procRoot).get(fileKey(dev, ino)) ?? [])];
}
