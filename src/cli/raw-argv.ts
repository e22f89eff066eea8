// The operands as the kernel has them (/proc/self/cmdline): Node decodes argv as UTF-8 and puts U+FFFD in
// place of what is not, so such a string no longer names the file; only the bytes tell which these are.
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';

/** The strings Node made of arguments that are not UTF-8, each with its bytes (empty where /proc is not there). */
export function undecodableArgs(cmdline = '/proc/self/cmdline'): Map<string, Buffer> {
  const found = new Map<string, Buffer>();
  let raw: Buffer;
  try {
    raw = fs.readFileSync(cmdline);
  } catch {
    return found;
  }
  let start = 0;
  for (let end = raw.indexOf(0); end >= 0; start = end + 1, end = raw.indexOf(0, start)) {
    const arg = raw.subarray(start, end);
    if (!isUtf8(arg)) found.set(arg.toString('utf8'), Buffer.from(arg));
  }
  return found;
}
