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

/** FILE's first bytes, enough for a header with a name. */
export function readHead(file: string): Buffer {
  const fd = fs.openSync(at(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const head = Buffer.alloc(10 + 2 + 65535 + 256);
    return head.subarray(0, fs.readSync(fd, head, 0, head.length, 0));
  } finally {
    fs.closeSync(fd);
  }
}
