// Facts about the filesystem holding a path: free bytes and inodes (statfs), type and mount point.
import fs from 'node:fs';
import path from 'node:path';
import { btrfsQuota, type Quota } from './quota.js';
import { freshFor, FRESH_MS } from './fresh-for.js';
import { decode, fsPath, realPath } from '../fs/raw-names.js';

export interface FsFacts {
  type: string;
  mountPoint: string;
  dev: number;
  blockSize: number;
  totalBytes: number;
  /** Bytes an unprivileged writer may still allocate (f_bavail). */
  freeBytes: number;
  /** Blocks kept for root (f_bfree - f_bavail): neither used nor available, as df counts them. Absent: none. */
  reservedBytes?: number;
  totalInodes: number;
  freeInodes: number;
  /** btrfs and zfs allocate new blocks on overwrite, so in-place rewriting needs free space there. */
  copyOnWrite: boolean;
  /** tmpfs and ramfs live in memory: a stash there survives a crash of ours, not a reboot. */
  ramBacked: boolean;
  /** NFS, SMB, Ceph, sshfs...: a stash there depends on a server and a network. */
  network?: boolean;
  /** A quota limiting this process here, where one can be read: freeBytes is then the room it leaves, if less. */
  quota?: Quota;
}

const NETWORK = /^(nfs4?|cifs|smb3?|ceph|glusterfs|fuse\.(sshfs|glusterfs|s3fs|rclone)|9p|afs)$/;

const MAGIC: Record<number, string> = {
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x2fc12fc1: 'zfs',
  0x6969: 'nfs',
  0x65735546: 'fuse',
  0x794c7630: 'overlay',
  0x4d44: 'vfat',
  0x5346544e: 'ntfs',
  0xf2f52010: 'f2fs',
};

export interface Mount {
  mountPoint: string;
  type: string;
  /** st_dev of files on it, from mountinfo's major:minor (absent in fabricated tables). */
  dev?: number;
}

/** A mountinfo line in full: which folder of the filesystem is mounted (root), and the superblock's options. */
export interface MountEntry extends Mount {
  root: string;
  /** The device (or the name a virtual filesystem gives). */
  source?: string;
  superOptions: string[];
}

/** Linux's st_dev for a major:minor pair (glibc's makedev). */
const makedev = (major: number, minor: number) => (minor & 0xff) + (major & 0xfff) * 0x100 + (minor & ~0xff) * 0x1000 + Math.floor(major / 0x1000) * 2 ** 32;

function unescapeMount(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountinfo(text: string): MountEntry[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      const sep = fields.indexOf('-');
      const [major, minor] = (fields[2] ?? '').split(':').map(Number);
      return {
        root: unescapeMount(fields[3]),
        mountPoint: unescapeMount(fields[4]),
        type: fields[sep + 1],
        source: unescapeMount(fields[sep + 2] ?? ''),
        superOptions: (fields[sep + 3] ?? '').split(','),
        dev: makedev(major, minor),
      };
    });
}

function readMountsNow(file: string): readonly MountEntry[] {
  try {
    return parseMountinfo(decode(fs.readFileSync(file)));
  } catch {
    return [];
  }
}
const readMountsCached = freshFor(FRESH_MS, readMountsNow);

/** The mount table, read at most once a second (FRESH_MS): -r over thousands of files parses it once a second, not per file. */
export const readMounts = (file = '/proc/self/mountinfo'): readonly MountEntry[] => readMountsCached(file);

/** The mount whose point is the longest prefix of the (real) path. */
export function mountOf<M extends Mount>(realPath: string, mounts: readonly M[]): M | undefined {
  let best: M | undefined;
  for (const m of mounts) {
    const inside = realPath === m.mountPoint || realPath.startsWith(m.mountPoint === '/' ? '/' : `${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

/**
 * A folder's real path stands a second, as the mount table does: it only finds the mount, whose device is
 * checked below; -r asked readlink of every folder on the path to / for every file.
 */
const realFolder = freshFor(FRESH_MS, realPath);

export function probeFilesystem(dirOrFile: string): FsFacts {
  const st = fs.statfsSync(fsPath(dirOrFile));
  const real = realFolder(dirOrFile);
  const dev = fs.statSync(fsPath(dirOrFile)).dev;
  // A table read before a mount was made names the wrong filesystem: its device says so, and it is read again.
  const cached = mountOf(real, readMounts());
  const mount = cached?.dev === undefined || cached.dev === dev ? cached : mountOf(real, readMountsNow('/proc/self/mountinfo'));
  const type = mount?.type ?? MAGIC[st.type] ?? `0x${st.type.toString(16)}`;
  // Each btrfs subvolume has a device number of its own: the same as the mount point's means the mounted one.
  const sameSubvolume = () => fs.statSync(mount!.mountPoint, { throwIfNoEntry: false })?.dev === dev;
  const quota = type === 'btrfs' && mount?.source ? btrfsQuota(mount.source, mount.superOptions, sameSubvolume()) : undefined;
  return {
    type,
    mountPoint: mount?.mountPoint ?? path.parse(real).root,
    dev,
    blockSize: st.bsize,
    totalBytes: st.blocks * st.bsize,
    freeBytes: Math.min(st.bavail * st.bsize, quota?.room ?? Infinity),
    ...(quota ? { quota } : {}),
    reservedBytes: Math.max(0, st.bfree - st.bavail) * st.bsize,
    totalInodes: st.files,
    freeInodes: st.ffree,
    copyOnWrite: type === 'btrfs' || type === 'zfs',
    ramBacked: type === 'tmpfs' || type === 'ramfs',
    network: NETWORK.test(type),
  };
}
