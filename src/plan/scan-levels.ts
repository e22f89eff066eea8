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
  /** Used as df counts it: used / (used + available), root's reserve in neither. */
  bytesFraction: number;
  bytesLevel: Level;
  inodesFraction: number;
  inodesLevel: Level;
  /** Inodes, not bytes, are what runs out: compressing frees no inode, so it cannot help. */
  inodesOnly: boolean;
}

type Space = Pick<FsFacts, 'totalBytes' | 'reservedBytes'>;

/** The bytes df counts against: used + available, the total without root's reserve. */
export const usableBytes = (fs: Space): number => fs.totalBytes - (fs.reservedBytes ?? 0);

/** df's "Use%" as a fraction: used / (used + available), with `free` bytes available. */
export function usedFraction(fs: Space, free: number): number {
  const usable = usableBytes(fs);
  return usable > 0 ? Math.max(0, usable - free) / usable : 0;
}

/** df's Use% in whole percent, rounded up as df does, so that 90.1% never reads as 90%. */
export function usedPercentOf(fs: Space, free: number): number {
  const usable = usableBytes(fs);
  // Whole bytes times 100 stay exact integers, so a use of exactly 70% is not rounded up to 71.
  return usable > 0 ? Math.ceil((Math.max(0, usable - free) * 100) / usable) : 0;
}

/** df's figure as df prints it, "23%", so that it reads the same as df beside it. */
export const usedPercent = (fs: Space, free: number): string => `${usedPercentOf(fs, free)}%`;

export function usageOf(fs: Pick<FsFacts, 'totalBytes' | 'reservedBytes' | 'freeBytes' | 'totalInodes' | 'freeInodes'>): Usage {
  const bytesFraction = usedFraction(fs, fs.freeBytes);
  // btrfs and some others report no inode limit at all (0 total): nothing to run out of.
  const inodesFraction = fs.totalInodes > 0 ? (fs.totalInodes - fs.freeInodes) / fs.totalInodes : 0;
  const bytesLevel = levelOf(bytesFraction);
  const inodesLevel = levelOf(inodesFraction);
  return { bytesFraction, bytesLevel, inodesFraction, inodesLevel, inodesOnly: inodesLevel === 'critical' && bytesLevel !== 'critical' };
}
