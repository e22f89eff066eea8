// Gives the .gz the original's owner, permission bits and times (setuid, setgid, sticky dropped, as gzip does).
import fs from 'node:fs';
import type { FileFacts } from '../probe/file.js';

/** What the .gz takes over from the original: the fields a stash manifest records too. */
export type Metadata = Pick<FileFacts, 'uid' | 'gid' | 'mode' | 'atimeMs' | 'mtimeMs'>;

export function restoreMetadata(fd: number, original: Metadata): void {
  try {
    fs.fchownSync(fd, original.uid, original.gid);
  } catch (err) {
    // Only root may give a file away; gzip, too, keeps going as the caller's own file.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
  }
  fs.fchmodSync(fd, original.mode & 0o777);
  fs.futimesSync(fd, utime(original.atimeMs), utime(original.mtimeMs));
}

/** Node takes a negative number of seconds for "now": a time before 1970 goes as a Date (whole milliseconds), as gzip keeps it. */
const utime = (ms: number): number | Date => (ms < 0 ? new Date(ms) : ms / 1000);
