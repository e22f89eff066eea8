// What to tell an operator about the processes holding a file open: who, how, and the ways forward.
import { CmemError } from '../errors.js';
import type { Holder } from '../probe/holder.js';

export function describeHolder(h: Holder): string {
  const how = !h.writes ? 'reading' : h.appends ? 'writing with O_APPEND' : 'writing WITHOUT O_APPEND';
  return `PID ${h.pid} (${h.command}) fd ${h.fd}, ${how}`;
}

export const describeHolders = (holders: readonly Holder[]): string => holders.map(describeHolder).join('; ');

/** Writers that keep their own offset: after a truncation their next write lands past a hole. */
export const nonAppendingWriters = (holders: readonly Holder[]): Holder[] => holders.filter((h) => h.writes && !h.appends);

/** The warning owed before truncating under writers without O_APPEND, or undefined when there are none. */
export function nulHoleWarning(file: string, holders: readonly Holder[]): string | undefined {
  const writers = nonAppendingWriters(holders);
  if (writers.length === 0) return undefined;
  const who = writers.map((h) => `PID ${h.pid} (${h.command}) fd ${h.fd}`).join(', ');
  return (
    `${who} writes to ${file} without O_APPEND: after the truncation it keeps its offset, so its next line lands ` +
    `there and the file starts with a sparse hole of NUL bytes. The hole takes no disk space, but readers see NULs ` +
    `(grep calls the file binary). To avoid it, make the writer reopen its log (its reload signal, or a restart) ` +
    `right after; to read the file meanwhile, use tr -d '\\0' < FILE or grep -a; logrotate's advice is the same: ` +
    `prefer a writer that opens its log with O_APPEND`
  );
}

/** Processes that only read the file: no output of theirs is at stake, only what they are reading. */
function readersOnlyError(file: string, holders: readonly Holder[]): CmemError {
  return new CmemError(
    'HELD_OPEN',
    `${file} is open in another process: ${describeHolders(holders)}; while it is held, removing it would free nothing, and rewriting it would change what that process is reading`,
    'let that process finish reading (or stop it), then run cmemgzip again; --copytruncate would empty the file under its reader',
  );
}

export function heldOpenError(file: string, holders: readonly Holder[]): CmemError {
  if (!holders.some((h) => h.writes)) return readersOnlyError(file, holders);
  const hole = nonAppendingWriters(holders).length > 0 ? ' (a writer without O_APPEND will leave a hole of NUL bytes at the head: see the warning --copytruncate prints)' : '';
  return new CmemError(
    'HELD_OPEN',
    `${file} is open in another process: ${describeHolders(holders)}; removing or rewriting it would free nothing or corrupt that process's output`,
    `either stop (or restart) that service first, then run cmemgzip again; or use --copytruncate to compress a copy and ` +
      `truncate the file in place, so the process keeps writing to it (lines written in the last instant can be lost)${hole}`,
  );
}
