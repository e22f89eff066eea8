// Walks folders without leaving their filesystem (like find -xdev) and keeps the largest regular files.
import fs from 'node:fs';
import path from 'node:path';
import { decode, fsPath } from '../fs/raw-names.js';

export interface SizedFile {
  path: string;
  size: number;
}

export interface Walk {
  /** Largest first, at most `keep` of them. */
  largest: SizedFile[];
  files: number;
  /** Folders that could not be read (permissions), so their files are not counted. */
  unreadable: number;
}

/** Keeps the `keep` largest without sorting everything: trims only when twice as many have gathered. */
function topKeeper(keep: number) {
  let top: SizedFile[] = [];
  let floor = -1;
  const trim = () => {
    top.sort((a, b) => b.size - a.size);
    top = top.slice(0, keep);
    if (top.length === keep) floor = top[keep - 1].size;
  };
  return {
    offer(file: SizedFile) {
      if (file.size <= floor) return;
      top.push(file);
      if (top.length >= 2 * keep) trim();
    },
    result() {
      trim();
      return top;
    },
  };
}

export function largestFiles(dirs: readonly string[], dev: number, keep: number): Walk {
  const top = topKeeper(keep);
  let files = 0;
  let unreadable = 0;
  const stack = [...dirs];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: fs.Dirent<Buffer>[];
    try {
      entries = fs.readdirSync(fsPath(dir), { withFileTypes: true, encoding: 'buffer' });
    } catch {
      unreadable++;
      continue;
    }
    for (const entry of entries) {
      if (!entry.isFile() && !entry.isDirectory()) continue;
      const full = path.join(dir, decode(entry.name));
      let st: fs.Stats;
      try {
        st = fs.lstatSync(fsPath(full));
      } catch {
        continue;
      }
      if (st.dev !== dev) continue;
      if (st.isDirectory()) stack.push(full);
      else if (st.isFile()) {
        files++;
        top.offer({ path: full, size: st.size });
      }
    }
  }
  return { largest: top.result(), files, unreadable };
}
