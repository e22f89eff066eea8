// A holder check that could not look at every process: what it missed, in words and for --json, and the
// refusal of the strategies whose safety rests on nobody holding FILE (removing it, rewriting it in place).
import { CmemError } from '../errors.js';
import type { HolderScan } from '../probe/holder.js';

type Scan = Omit<HolderScan, 'holders'>;

/** What the check could not see, or undefined when it saw every process. */
export function holderCheckGap(scan: Scan): string | undefined {
  if (!scan.checked) return 'neither /proc nor lsof is available, so no other process could be inspected';
  if (scan.invisible) return `other users' processes are hidden from this user (${scan.invisible}), how many is unknown`;
  if (scan.hidden > 0) return `${scan.hidden} ${scan.hidden === 1 ? 'process' : 'processes'} could not be inspected (not root: their /proc/PID/fd cannot be read)`;
  return undefined;
}

export interface HolderCheckJson {
  complete: false;
  /** null when they cannot even be counted (hidepid=2, no /proc). */
  uninspectedProcesses: number | null;
  why: string;
}

export function holderCheckJson(scan: Scan): HolderCheckJson | undefined {
  const why = holderCheckGap(scan);
  if (!why) return undefined;
  return { complete: false, uninspectedProcesses: scan.checked && !scan.invisible ? scan.hidden : null, why };
}

export function unseenHoldersError(file: string, gap: string): CmemError {
  return new CmemError(
    'HOLDERS_UNSEEN',
    `${file}: ${gap}; one of them may hold it open, and removing or rewriting the file would then lose what that process writes next; left as it is`,
    'run as root, which sees every process; or use --copytruncate, which is safe with a holder; or --assume-unheld to go ahead accepting that risk',
  );
}
