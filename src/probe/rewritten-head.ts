// Recognises what a run with its safety copy in RAM leaves after a reboot: FILE holding gzip data that
// names FILE itself, a .gz rewritten in place whose rename (or whose end) never came.
import fs from 'node:fs';
import { at } from '../fs/pinned-folders.js';
import { encode } from '../fs/raw-names.js';

const FNAME = 0x08;
const FEXTRA = 0x04;

/** Whether head (FILE's first bytes) is a gzip header that stores `base` as its name. */
export function namesItself(head: Buffer, base: string): boolean {
  if (head.length < 10 || head[0] !== 0x1f || head[1] !== 0x8b || head[2] !== 8 || !(head[3] & FNAME)) return false;
  let pos = 10;
  if (head[3] & FEXTRA) pos += 2 + head.readUInt16LE(10);
  const end = head.indexOf(0, pos);
  return end > pos && head.subarray(pos, end).equals(encode(base));
}

/**
 * FILE's first bytes: its first 10 when they are not a gzip header with a name (every plain log: -r
 * then reads no more of it here, nor zeroes 64 KiB a file), else enough for the whole header.
 */
export function readHead(file: string): Buffer {
  const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const start = Buffer.allocUnsafe(10);
    const got = fs.readSync(fd, start, 0, start.length, 0);
    if (got < start.length || start[0] !== 0x1f || start[1] !== 0x8b || !(start[3] & FNAME)) return start.subarray(0, got);
    const head = Buffer.allocUnsafe(10 + 2 + 65535 + 256);
    return head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}
