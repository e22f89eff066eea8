// gzip -v's line for a finished file ("in:\t 18.2% -- created in.gz"), the one scripts grep for.
import path from 'node:path';

/** A name as the operator typed it when it is below the working folder, else the full path. */
function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

/** The share saved is of the whole .gz (header and trailer included), so it is a little below gzip's own figure. */
export function gzipVerboseLine(input: string, output: string, original: number, compressed: number, kept: boolean): string {
  const saved = original === 0 ? 0 : 100 * (1 - compressed / original);
  return `${shown(input)}:\t${saved.toFixed(1).padStart(5)}% -- ${kept ? 'created' : 'replaced with'} ${shown(output)}`;
}
