// Opens the operand for reading without following a symlink or blocking on a FIFO, and checks
// that the descriptor is the very file that was probed (no swap between lstat and open).
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { factsFromStats, sameContent, type FileFacts } from '../probe/file.js';
import { at } from '../fs/pinned-folders.js';

const FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

export function openSource(facts: FileFacts): number {
  const fd = fs.openSync(at(facts.path), FLAGS);
  const now = factsFromStats(facts.path, fs.fstatSync(fd, { bigint: true }));
  if (now.kind !== 'file' || !sameContent(facts, now)) {
    fs.closeSync(fd);
    throw new CmemError('CHANGED', `${facts.path} changed between the check and the open; left as it is`, 'run cmemgzip again');
  }
  return fd;
}

/** After reading: the same inode, size and times, and every byte of it read. */
export function assertReadWhole(fd: number, facts: FileFacts, bytesRead: number): void {
  const now = factsFromStats(facts.path, fs.fstatSync(fd, { bigint: true }));
  if (!sameContent(facts, now) || bytesRead !== facts.size)
    throw new CmemError(
      'CHANGED',
      `${facts.path} changed while it was read (${facts.size} bytes before, ${now.size} after, ${bytesRead} read); left as it is`,
      'a process is writing to it: see --copytruncate, or run again once it is quiet',
    );
}
