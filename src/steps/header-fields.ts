// What a member header records of the original: its base name and mtime, or with -n neither (gzip -n).
import type { HeaderFields } from './gzip-format.js';

export function headerFieldsFor(original: { base: string; mtimeMs: number }, opts: { name?: boolean; level: number }): HeaderFields {
  if (opts.name === false) return { mtime: 0, level: opts.level };
  return { name: original.base, mtime: original.mtimeMs / 1000, level: opts.level };
}

/** gzip stores MTIME only from 1 to 2^32-1 seconds; outside that it stores 0 (no time) and warns, exit 2. */
export function mtimeOutOfRange(original: { mtimeMs: number }, opts: { name?: boolean }): boolean {
  if (opts.name === false) return false;
  const seconds = Math.floor(original.mtimeMs / 1000);
  return seconds < 1 || seconds >= 2 ** 32;
}

export const mtimeWarning = (file: string) => ({ code: 'MTIME_RANGE', message: `${file}: file timestamp out of range for gzip format; stored as 0 (no time), as gzip does` });
