// The arguments as the kernel has them (/proc/self/cmdline): Node decodes argv as UTF-8 and puts U+FFFD in
// place of what is not, so such a string no longer names the file; only the bytes give the real name.
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import { decode } from '../fs/raw-names.js';

/**
 * args (process.argv without node and script) with each one Node could not decode replaced by its bytes in
 * surrogateescape form (raw-names.ts). They are the last entries of cmdline, whatever node itself was given.
 */
export function rawArgs(args: readonly string[], cmdline = '/proc/self/cmdline'): string[] {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(cmdline);
  } catch {
    return [...args];
  }
  const all: Buffer[] = [];
  for (let start = 0, end = raw.indexOf(0); end >= 0; start = end + 1, end = raw.indexOf(0, start)) all.push(raw.subarray(start, end));
  const mine = all.slice(all.length - args.length);
  // An argument that does not match its bytes (cmdline rewritten, or not ours): keep what Node gave.
  return args.map((arg, i) => (mine[i] && !isUtf8(mine[i]) && mine[i].toString('utf8') === arg ? decode(mine[i]) : arg));
}
