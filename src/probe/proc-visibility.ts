// Whether /proc hides other users' processes from us altogether (hidepid=2 or 4): then no count of them exists.
import fs from 'node:fs';
import { readMounts } from './filesystem.js';

/** hidepid's values that take other users' PID folders out of /proc's listing (1, "noaccess", only locks their contents). */
const INVISIBLE = new Set(['2', 'invisible', '4', 'ptraceable']);

/** The proc mount's hidepid option when it hides processes from us (root sees through it), else undefined. */
export function hiddenByMount(procRoot = '/proc', euid = process.geteuid?.() ?? 0): string | undefined {
  if (euid === 0) return undefined;
  let real: string;
  try {
    real = fs.realpathSync(procRoot);
  } catch {
    return undefined;
  }
  // The last mount on that point is the one in view (a private namespace mounts its own over it).
  const entry = readMounts().filter((m) => m.type === 'proc' && m.mountPoint === real).at(-1);
  const option = entry?.superOptions.find((o) => o.startsWith('hidepid='));
  return option && INVISIBLE.has(option.slice('hidepid='.length)) ? option : undefined;
}
