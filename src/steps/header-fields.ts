// What a member header records of the original: its base name and mtime, or with -n neither (gzip -n).
import type { HeaderFields } from './gzip-format.js';

export function headerFieldsFor(original: { base: string; mtimeMs: number }, opts: { name?: boolean; level: number }): HeaderFields {
  if (opts.name === false) return { mtime: 0, level: opts.level };
  return { name: original.base, mtime: original.mtimeMs / 1000, level: opts.level };
}
