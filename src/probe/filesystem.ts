// Facts about the filesystem holding a path: free bytes and inodes (statfs), type and mount point.
import fs from 'node:fs';
import path from 'node:path';
import { decode, fsPath, realPath } from './raw-names.js';

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
}

/** A mountinfo line in full: which folder of the filesystem is mounted (root), and the superblock's options. */
export interface MountEntry extends Mount {
  root: string;
  superOptions: string[];
}

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
      return { root: unescapeMount(fields[3]), mountPoint: unescapeMount(fields[4]), type: fields[sep + 1], superOptions: (fields[sep + 3] ?? '').split(',') };
    });
}

export function readMounts(file = '/proc/self/mountinfo'): MountEntry[] {
  try {
    return parseMountinfo(decode(fs.readFileSync(file)));
  } catch {
    return [];
  }
}

/** The mount whose point is the longest prefix of the (real) path. */
export function mountOf(realPath: string, mounts: readonly Mount[]): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const inside = realPath === m.mountPoint || realPath.startsWith(m.mountPoint === '/' ? '/' : `${m.mountPoint}/`);
    if (inside && (!best || m.mountPoint.length >= best.mountPoint.length)) best = m;
  }
  return best;
}

export function probeFilesystem(dirOrFile: string): FsFacts {
  const st = fs.statfsSync(fsPath(dirOrFile));
  const real = realPath(dirOrFile);
  const mount = mountOf(real, readMounts());
  const type = mount?.type ?? MAGIC[st.type] ?? `0x${st.type.toString(16)}`;
  return {
    type,
    mountPoint: mount?.mountPoint ?? path.parse(real).root,
    dev: fs.statSync(fsPath(dirOrFile)).dev,
    blockSize: st.bsize,
    totalBytes: st.blocks * st.bsize,
    freeBytes: st.bavail * st.bsize,
    reservedBytes: Math.max(0, st.bfree - st.bavail) * st.bsize,
    totalInodes: st.files,
    freeInodes: st.ffree,
    copyOnWrite: type === 'btrfs' || type === 'zfs',
    ramBacked: type === 'tmpfs' || type === 'ramfs',
    network: NETWORK.test(type),
  };
}
