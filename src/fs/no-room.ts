// Which write failures mean "no room for this user here": a full filesystem (ENOSPC) or a quota (EDQUOT),
// which every fallback treats alike; and the words that name a quota.
import os from 'node:os';

/** libuv has no name for EDQUOT: Node reports it as code UNKNOWN, errno -122 on Linux. */
export const isQuota = (err: unknown): boolean => {
  const e = err as NodeJS.ErrnoException | undefined;
  return e?.code === 'EDQUOT' || e?.errno === -os.constants.errno.EDQUOT;
};

export const isNoRoom = (err: unknown): boolean => (err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC' || isQuota(err);

/** The quota a write by this process is charged to: its effective user's (btrfs charges the subvolume's qgroup). */
export const quotaExceeded = () => `disk quota exceeded for uid ${process.geteuid?.() ?? '?'} (or its btrfs subvolume's qgroup)`;

/** Whether a message (one of ours, made from quotaExceeded) tells of a quota. */
export const saysQuota = (message: string) => message.includes('disk quota exceeded');
