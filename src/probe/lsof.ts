// Where /proc is missing (macOS, the BSDs), asks lsof which processes hold a file, from its -F output.
import { spawnSync } from 'node:child_process';
import type { Holder, HolderScan } from './holder.js';

/** Parses `lsof -F pcfa` lines: p<pid>, c<command>, then per fd f<fd> and a<r|w|u>. */
export function parseLsof(out: string): Holder[] {
  const holders: Holder[] = [];
  let pid = 0;
  let command = '?';
  for (const line of out.split('\n')) {
    const [tag, value] = [line[0], line.slice(1)];
    if (tag === 'p') pid = Number(value);
    else if (tag === 'c') command = value;
    else if (tag === 'f' && /^\d+$/.test(value)) holders.push({ pid, command, fd: Number(value), writes: false, appends: false });
    else if (tag === 'a' && holders.length > 0) holders[holders.length - 1].writes = value === 'w' || value === 'u';
  }
  // lsof does not say whether a writer appends: assume not, so that the warnings err on the safe side.
  return holders.filter((h) => h.pid !== process.pid);
}

export function lsofHolders(file: string): HolderScan {
  const r = spawnSync('lsof', ['-w', '-F', 'pcfa', '--', file], { encoding: 'utf8', timeout: 30_000 });
  // lsof exits 1 both when nothing holds the file and on some errors; no output at all is "nobody".
  if (r.error || r.status === null) return { checked: false, hidden: 0, holders: [] };
  // Unprivileged, lsof lists only our own processes' files, and says nothing of the others.
  const invisible = process.geteuid?.() === 0 ? undefined : 'not root: lsof shows only our own processes';
  return { checked: true, hidden: 0, invisible, holders: parseLsof(r.stdout) };
}
