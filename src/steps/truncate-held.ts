// Empties a file that a process keeps writing to, in place through our own descriptor: the inode,
// owner and mode stay, and the writer's descriptor stays valid.
import fs from 'node:fs';
import { CmemError } from '../errors.js';

/** Truncates to 0 unless the file is not the one copied or holds less than was copied; returns its stat just before. */
export function truncateHeld(fd: number, name: string, identity: { dev: number; ino: number }, copied: number): fs.Stats {
  const before = fs.fstatSync(fd);
  if (before.dev !== identity.dev || before.ino !== identity.ino)
    throw new CmemError('CHANGED', `${name} is no longer the file that was copied; left as it is`);
  if (before.size < copied)
    throw new CmemError('CHANGED', `${name} shrank to ${before.size} bytes while ${copied} were copied (truncated by someone else?); left as it is`, 'run cmemgzip again');
  // No fsync here: once cut, the copy is all there is, and the caller must never undo it on an fsync error.
  fs.ftruncateSync(fd, 0);
  return before;
}
