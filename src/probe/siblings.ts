// The names in a file's folder (read as bytes, so a name that is not UTF-8 is seen too), each folder read once per cache.
import fs from 'node:fs';
import { decode, fsPath } from '../fs/raw-names.js';

export function siblingsOf(dir: string, cache: Map<string, string[]> = new Map()): string[] {
  let names = cache.get(dir);
  if (!names) {
    try {
      names = fs.readdirSync(fsPath(dir), { encoding: 'buffer' }).map(decode);
    } catch {
      names = [];
    }
    cache.set(dir, names);
  }
  return names;
}
