// Where a .gz decompresses to: its name without gzip's suffixes, or with -N the header's name,
// reduced to a plain base name so that a crafted header can never steer the output elsewhere.
import path from 'node:path';

/** gzip's list after -S's suffix: compared ignoring case, as gzip does; .tgz and .taz become .tar. */
const KNOWN_SUFFIXES = ['.gz', '.z', '.taz', '.tgz', '-gz', '-z', '_z'];

/** The base name with its gzip suffix taken off, or undefined when it has none (gzip: "unknown suffix"). */
export function strippedName(base: string, suffix: string): string | undefined {
  const lower = base.toLowerCase();
  for (const s of [suffix, ...KNOWN_SUFFIXES]) {
    if (!s || lower.length <= s.length || !lower.endsWith(s.toLowerCase())) continue;
    const stem = base.slice(0, base.length - s.length);
    return s === '.tgz' || s === '.taz' ? `${stem}.tar` : stem;
  }
  return undefined;
}

/**
 * The header's FNAME as a name to create beside the .gz, or undefined when it cannot be one:
 * only what follows its last '/' counts, and '', '.' and '..' are refused.
 */
export function safeHeaderName(name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  const base = name.slice(name.lastIndexOf('/') + 1);
  if (base === '' || base === '.' || base === '..' || base.includes('\0')) return undefined;
  return base;
}

/** -o for decompression: a folder receives `name`; anything else is the output file itself. */
export function decompressedPath(gzPath: string, name: string, output: string | undefined, isDir: (p: string) => boolean): string {
  if (!output) return path.join(path.dirname(path.resolve(gzPath)), name);
  const out = path.resolve(output);
  return isDir(out) ? path.join(out, name) : out;
}
