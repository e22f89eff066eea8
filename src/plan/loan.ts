// A loan from the reserve on FILE's filesystem: how much the .gz beside needs beyond the free space, and
// that filesystem as the plan sees it once the reserve gave it back.
import type { FsFacts } from '../probe/filesystem.js';
import { ESTIMATE_MARGIN, RESERVE, roundUp } from './plan.js';

/** Bytes the reserve must give back, in whole blocks, for a .gz of about estimate bytes to go beside on fsNow; 0 when it fits already. */
export function loanNeeded(fsNow: FsFacts, estimate: number): number {
  const needed = roundUp(Math.ceil(estimate * ESTIMATE_MARGIN), fsNow.blockSize) + RESERVE - fsNow.freeBytes;
  return roundUp(Math.max(0, needed), fsNow.blockSize);
}

export const withLoan = (fsNow: FsFacts, bytes: number): FsFacts => ({ ...fsNow, freeBytes: fsNow.freeBytes + bytes });
