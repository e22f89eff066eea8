// Error and warning codes, their messages' shape, and the one mapping from outcomes to exit codes.
import { isQuota, quotaExceeded } from './fs/no-room.js';

export type ErrorCode =
  | 'ENOENT'
  | 'NOT_REGULAR'
  | 'SYMLINK'
  | 'UNREADABLE'
  | 'UNWRITABLE'
  | 'READ_ONLY'
  | 'NOT_PERMITTED'
  | 'HARD_LINKS'
  | 'HELD_OPEN'
  | 'HOLDERS_UNSEEN'
  | 'CHANGED'
  | 'NO_MEMORY'
  | 'NO_SPACE'
  | 'NO_GAIN'
  | 'NAME_TOO_LONG'
  | 'NO_STASH'
  | 'WINDOW_REFUSED'
  | 'VERIFY_FAILED'
  | 'IO'
  | 'BAD_OPTION'
  | 'BAD_GZIP'
  | 'NOT_DELETED'
  | 'TERMINAL'
  | 'INSECURE'
  | 'UNFINISHED';

export type WarningCode = 'HAS_SUFFIX' | 'OUTPUT_EXISTS' | 'NOTHING_TO_RESUME' | 'UNKNOWN_SUFFIX' | 'TRAILING_GARBAGE' | 'LINES_MAY_BE_LOST' | 'NOT_REGULAR';

/** A failure as a value: what went wrong, and what the operator can do next. */
export class CmemError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A reason to skip an operand without failing the run (exit 2, as gzip does). */
export class CmemWarning extends Error {
  constructor(
    readonly code: WarningCode,
    message: string,
  ) {
    super(message);
  }
}

export type Outcome = 'ok' | 'warning' | 'error';

export const EXIT = { ok: 0, error: 1, warning: 2 } as const;

/** Warnings gzip 1.12 prints but leaves out of its exit status ("already has .gz suffix -- unchanged" exits 0). */
export const UNCOUNTED_WARNINGS: readonly WarningCode[] = ['HAS_SUFFIX'];

/** gzip's rule: any error wins (1), else any warning (2), else 0. */
export function exitCodeFor(outcomes: readonly Outcome[]): number {
  if (outcomes.includes('error')) return EXIT.error;
  if (outcomes.includes('warning')) return EXIT.warning;
  return EXIT.ok;
}

/** Wraps an unexpected Node error so that the report can show a code and a next step. */
export function toCmemError(err: unknown, doing: string): CmemError {
  if (err instanceof CmemError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOSPC') return new CmemError('NO_SPACE', `${doing}: no space left on device`);
  if (isQuota(e)) return new CmemError('NO_SPACE', `${doing}: ${quotaExceeded()}`, 'free some of that user\'s files on this filesystem or raise the quota (btrfs qgroup limit, setquota); at a full btrfs qgroup only removing a file frees room, not even a truncation is allowed');
  if (e?.code === 'EROFS') return new CmemError('READ_ONLY', `${doing}: read-only filesystem`, 'remount it read-write if that is intended');
  // EPERM is no lack of rights: root gets it too, from chattr +i / +a (or a security module).
  if (e?.code === 'EPERM')
    return new CmemError('NOT_PERMITTED', `${doing}: operation not permitted`, 'lsattr shows whether a file or folder is immutable (i) or append-only (a)');
  if (e?.code === 'EACCES')
    return new CmemError('UNREADABLE', `${doing}: permission denied`, 'run as the file\'s owner or root');
  // Node writes a name it was given as bytes with U+FFFD for what is not UTF-8: doing already names it right.
  return new CmemError('IO', `${doing}: ${(e?.message ?? String(err)).replace(/ (-> )?'[^']*\uFFFD[^']*'/g, '')}`);
}
