// The room a quota leaves this process on a filesystem, where it can be read: a btrfs qgroup's limit
// (sysfs, readable by anyone) on the subvolume the mount shows. Nested subvolumes and parent qgroups are
// not read here; a write that meets their limit fails with EDQUOT and is planned again as a full disk.
import fs from 'node:fs';
import path from 'node:path';

export interface Quota {
  /** Which limit: "btrfs qgroup 0/5" and the like. */
  what: string;
  limit: number;
  used: number;
  /** What the limit still allows, never below 0. */
  room: number;
}

const readNumber = (file: string): number | undefined => {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
};

/** The /sys/fs/btrfs/UUID folder of the filesystem on this device (/dev/loop3, /dev/mapper/x). */
function btrfsSysfsOf(source: string, sysfs: string): string | undefined {
  let device: string;
  try {
    device = path.basename(fs.realpathSync(source));
  } catch {
    return undefined;
  }
  try {
    return fs.readdirSync(sysfs).map((uuid) => path.join(sysfs, uuid)).find((dir) => fs.existsSync(path.join(dir, 'devices', device)));
  } catch {
    return undefined;
  }
}

/**
 * The qgroup limit of the mounted subvolume (subvolid= in the mount's options), for a path on that very
 * subvolume; undefined when quotas are off, no limit is set, or the path is on another subvolume.
 */
export function btrfsQuota(source: string, superOptions: readonly string[], sameSubvolume: boolean, sysfs = '/sys/fs/btrfs'): Quota | undefined {
  const id = superOptions.find((o) => o.startsWith('subvolid='))?.slice('subvolid='.length);
  if (!id || !sameSubvolume) return undefined;
  const root = btrfsSysfsOf(source, sysfs);
  if (!root) return undefined;
  const group = path.join(root, 'qgroups', `0_${id}`);
  // A limit of 0 means none; data reserved for writes in flight counts as used.
  const reserved = readNumber(path.join(group, 'rsv_data')) ?? 0;
  const limits = (['referenced', 'exclusive'] as const)
    .map((kind) => ({ limit: readNumber(path.join(group, `max_${kind}`)) ?? 0, used: (readNumber(path.join(group, kind)) ?? 0) + reserved }))
    .filter((l) => l.limit > 0)
    .map((l) => ({ ...l, room: Math.max(0, l.limit - l.used) }));
  if (limits.length === 0) return undefined;
  const tightest = limits.reduce((a, b) => (b.room < a.room ? b : a));
  return { what: `btrfs qgroup 0/${id}`, ...tightest };
}

/** " under the quota (...)" after a free-space figure that a quota set: the words that say why a roomy disk is full. */
export const quotaNote = (q: Quota | undefined): string =>
  q ? ` under the disk quota (${q.what}: ${q.used} of its ${q.limit} bytes used)` : '';
