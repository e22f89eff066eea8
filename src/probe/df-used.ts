// The filesystem's use as df prints it: used / (used + available), in whole percent rounded up.

/** The statfs fields df reads (Node's fs.statfsSync names them so); any block unit, as long as it is one. */
export interface StatfsLike {
  blocks: number;
  bfree: number;
  bavail: number;
}

/**
 * df's Use%: the blocks root's reserve holds count neither as used nor as available, so an ext4 with
 * its 5% reserve shows 100% when an unprivileged writer gets ENOSPC. Rounded up as df does, so that
 * 90.1% never reads as 90%.
 */
export function dfUsedPercent(s: StatfsLike): number {
  const used = s.blocks - s.bfree;
  const seen = used + s.bavail;
  return seen > 0 ? Math.ceil((100 * used) / seen) : 0;
}
