// Judges how full a filesystem is, by bytes and by inodes: a warning from 80% used, critical from 90%.
import type { FsFacts } from '../probe/filesystem.js';

export type Level = 'ok' | 'warning' | 'critical';

export const WARNING_AT = 0.8;
export const CRITICAL_AT = 0.9;

export function levelOf(fraction: number): Level {
  if (fraction >= CRITICAL_AT) return 'critical';
  if (fraction >= WARNING_AT) return 'warning';
  return 'ok';
}

export interface Usage {
  /** Used as an unprivileged writer sees it: the root reserve counts as used. */
  bytesFraction: number;
  bytesLevel: Level;
  inodesFraction: number;
  inodesLevel: Level;
  /** Inodes, not bytes, are what runs out: compressing frees no inode, so it cannot help. */
  inodesOnly: boolean;
}

export function usageOf(fs: Pick<FsFacts, 'totalBytes' | 'freeBytes' | 'totalInodes' | 'freeInodes'>): Usage {
  const bytesFraction = fs.totalBytes > 0 ? (fs.totalBytes - fs.freeBytes) / fs.totalBytes : 0;
  // btrfs and some others report no inode limit at all (0 total): nothing to run out of.
  const inodesFraction = fs.totalInodes > 0 ? (fs.totalInodes - fs.freeInodes) / fs.totalInodes : 0;
  const bytesLevel = levelOf(bytesFraction);
  const inodesLevel = levelOf(inodesFraction);
  return { bytesFraction, bytesLevel, inodesFraction, inodesLevel, inodesOnly: inodesLevel === 'critical' && bytesLevel !== 'critical' };
}
