// The filesystem's use as df prints it, from statfs's counts: used / (used + available), rounded up.
import { usedPercentOf } from './scan-levels.js';

/** The statfs fields df reads (Node's fs.statfsSync names them so); any block unit, as long as it is one. */
export interface StatfsLike {
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * df's Use% from statfs's counts: the blocks root's reserve holds count neither as used nor as available,
 * so an ext4 with its 5% reserve shows 100% when an unprivileged writer gets ENOSPC.
 */
export const dfUsedPercent = (s: StatfsLike): number => usedPercentOf({ totalBytes: s.blocks, reservedBytes: s.bfree - s.bavail }, s.bavail);
