// Memory this process may use: the least of MemAvailable and the room under every cgroup memory limit
// (v1 memory.limit_in_bytes, v2 memory.max) of its own cgroup and its ancestors, and which one that is.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bytes } from '../text/format.js';
import { readMounts, type MountEntry } from './filesystem.js';
import { freshFor, FRESH_MS } from './fresh-for.js';

export interface MemoryBudget {
  /** Bytes the plan may count on. */
  available: number;
  /** The figure that set it, in words: MemAvailable, or which cgroup limit. */
  limitedBy: string;
}

/** A cgroup limit is a kill, not a slowdown: keep a tenth of it free, for Node's heap growing past its estimate. */
export const CGROUP_MARGIN = 0.1;

function read(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

const whole = (text: string | undefined) => (text && /^\d+\s*$/.test(text) ? Number(text) : undefined);
const stat = (text: string | undefined, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text ?? '')?.[1] ?? 0);

interface Flavour {
  version: 1 | 2;
  limit: string;
  usage: string;
  /** memory.stat's page cache that can be dropped at once: counted in usage, yet no reason to be killed. */
  inactive: string;
}
const V1: Flavour = { version: 1, limit: 'memory.limit_in_bytes', usage: 'memory.usage_in_bytes', inactive: 'total_inactive_file' };
const V2: Flavour = { version: 2, limit: 'memory.max', usage: 'memory.current', inactive: 'inactive_file' };

/** This process's cgroup path in each hierarchy that can hold a memory limit ("N:memory:/path" for v1, "0::/path" for v2). */
export function ownCgroups(procSelfCgroup: string): { v1?: string; v2?: string } {
  const found: { v1?: string; v2?: string } = {};
  for (const line of procSelfCgroup.split('\n')) {
    const m = /^\d+:([^:]*):(\/.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') found.v2 = m[2];
    else if (m[1].split(',').includes('memory')) found.v1 = m[2];
  }
  return found;
}

/** The cgroup's folder and its ancestors' under the mount (whose root may itself be a cgroup, as in a container). */
export function cgroupDirs(mount: Pick<MountEntry, 'root' | 'mountPoint'>, cgroup: string): string[] {
  const rel = path.posix.relative(mount.root, cgroup);
  const inside = rel.startsWith('..') ? '' : rel;
  const dirs: string[] = [];
  for (let p = inside; ; p = path.posix.dirname(p)) {
    dirs.push(path.posix.join(mount.mountPoint, p === '.' ? '' : p));
    if (p === '' || p === '.' || p === '/') return dirs;
  }
}

/** The room left under each limit that applies, with the folder it was read from. */
function cgroupRooms(root: string, flavour: Flavour, mount: MountEntry, cgroup: string): { room: number; limitedBy: string }[] {
  const rooms: { room: number; limitedBy: string }[] = [];
  for (const dir of cgroupDirs(mount, cgroup)) {
    const limit = whole(read(path.join(root, dir, flavour.limit)));
    const usage = whole(read(path.join(root, dir, flavour.usage)));
    if (limit === undefined || usage === undefined || limit >= 2 ** 62) continue; // v1 says "no limit" with 2^63 rounded to a page
    const used = Math.max(0, usage - stat(read(path.join(root, dir, 'memory.stat')), flavour.inactive));
    rooms.push({
      room: Math.max(0, Math.floor(limit - used - limit * CGROUP_MARGIN)),
      limitedBy: `cgroup v${flavour.version} ${flavour.limit} of ${dir} (${bytes(limit)}, ${bytes(used)} in use, a tenth kept free)`,
    });
  }
  return rooms;
}

/** root is where /proc and /sys are: "/" but for the tests, which build fake ones. */
function readBudget(root: string): MemoryBudget {
  const kib = /^MemAvailable:\s+(\d+) kB/m.exec(read(path.join(root, 'proc/meminfo')) ?? '')?.[1];
  let best: MemoryBudget = kib === undefined ? { available: os.freemem(), limitedBy: 'free memory' } : { available: Number(kib) * 1024, limitedBy: 'MemAvailable' };
  const own = ownCgroups(read(path.join(root, 'proc/self/cgroup')) ?? '');
  for (const mount of readMounts(path.join(root, 'proc/self/mountinfo'))) {
    const flavour = mount.type === 'cgroup2' ? V2 : mount.type === 'cgroup' && mount.superOptions.includes('memory') ? V1 : undefined;
    const cgroup = flavour?.version === 2 ? own.v2 : own.v1;
    if (!flavour || cgroup === undefined) continue;
    for (const r of cgroupRooms(root, flavour, mount, cgroup)) if (r.room < best.available) best = { available: r.room, limitedBy: r.limitedBy };
  }
  return best;
}

const budgetNow = freshFor(FRESH_MS, readBudget);

/** Read at most once a second (FRESH_MS), as files follow one another in a run. */
export const memoryBudget = (root = '/'): MemoryBudget => budgetNow(root);

export const availableMemory = (): number => memoryBudget().available;
