// The tool's own state in its default places (/dev/shm, /run/shm, /tmp, /var/tmp): found by comparing
// before and after, never by assuming a name, since where it lives is the tool's business and changes.
import fs from 'node:fs';
import path from 'node:path';

const ROOTS = ['/dev/shm', '/run/shm', '/tmp', '/var/tmp'];
const DEPTH = 4;
/** Larger files are someone's data (a filler, an image), not a note or a stash copy of a 2 MiB log. */
const MAX_BYTES = 32 * 2 ** 20;

/** The default places that exist, each once (a symlinked /run/shm is /dev/shm). */
export function stateRoots() {
  const seen = new Set();
  for (const root of ROOTS) {
    try {
      seen.add(fs.realpathSync(root));
    } catch {
      // absent here
    }
  }
  return [...seen];
}

/**
 * Every entry below the roots, on each root's own filesystem (other mounts are other people's work),
 * as path -> a signature that changes when the entry does; `skip` (our workbench) is left out.
 */
export function snapshot(roots, skip) {
  const seen = new Map();
  const walk = (dir, dev, depth) => {
    let names;
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = path.join(dir, name);
      if (p === skip) continue;
      let st;
      try {
        st = fs.lstatSync(p);
      } catch {
        continue;
      }
      if (st.dev !== dev) continue;
      seen.set(p, `${st.mode}:${st.size}:${st.ino}:${st.mtimeMs}`);
      if (st.isDirectory() && depth < DEPTH) walk(p, dev, depth + 1);
    }
  };
  for (const root of roots) walk(root, fs.statSync(root).dev, 1);
  return seen;
}

/** Regular files below the roots that are new or changed since `before`, small enough to be state. */
export function changedFiles(before, roots, skip) {
  const out = [];
  for (const [p, sig] of snapshot(roots, skip)) {
    if (before.get(p) === sig) continue;
    try {
      const st = fs.lstatSync(p);
      if (st.isFile() && st.size <= MAX_BYTES) out.push(p);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** Folders below the roots that are new since `before`, deepest first: what to remove once emptied. */
export function newFolders(before, roots, skip) {
  return [...snapshot(roots, skip)]
    .filter(([p]) => !before.has(p))
    .map(([p]) => p)
    .filter((p) => {
      try {
        return fs.lstatSync(p).isDirectory();
      } catch {
        return false;
      }
    })
    .sort((a, b) => b.length - a.length);
}
