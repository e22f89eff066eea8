// chooseMode(): the one choice of mode, one line per case, from fabricated facts.
import { expect, it } from 'vitest';
import { CmemError } from '../src/errors.js';
import { chooseMode, type Mode, type ModeFacts } from '../src/plan/choose-mode.js';
import { DEFAULT_OPTIONS, type Options } from '../src/plan/options.js';
import { worstCaseCompressed } from '../src/plan/plan.js';
import type { StashCandidate } from '../src/probe/stash.js';
import { file, fsFacts, MiB } from './plan-facts.js';

const disk: StashCandidate = { dir: '/srv/stash', fs: fsFacts({ mountPoint: '/srv', dev: 2, freeBytes: 64 * MiB }), explicit: true };
const shm: StashCandidate = { dir: '/dev/shm', fs: fsFacts({ type: 'tmpfs', mountPoint: '/dev/shm', dev: 3, freeBytes: 64 * MiB, ramBacked: true }), explicit: false };

type Known = ModeFacts['gz']['known'];
/** The facts of a 100 MiB file whose .gz is about 10 MiB (at worst a little over 100), on a filesystem with `free` MiB free, unless over says otherwise. */
function facts(known: Known, free: number, over: Partial<ModeFacts> = {}): ModeFacts {
  const fs = over.fs ?? fsFacts({ freeBytes: free * MiB });
  const bytes = known === 'worst-case' ? worstCaseCompressed(file.size) : 10 * MiB;
  return { file, fs, outputPath: `${file.path}.gz`, outputFs: fs, stashes: [], memoryAvailable: 8192 * MiB, gz: { bytes, known }, ...over };
}
const opts = (over: Partial<Options> = {}): Options => ({ ...DEFAULT_OPTIONS, ...over });

function said(f: ModeFacts, o: Options): string {
  let m: Mode;
  try {
    m = chooseMode(f, o);
  } catch (err) {
    return `refused ${(err as CmemError).code}`;
  }
  if (m.kind === 'whole-file') return `${m.plan.strategy}${m.plan.method === 'unlink' ? ', unlink then write' : ''}${m.plan.window ? ', window' : ''}`;
  if (m.kind === 'streamed-beside') return `streamed beside${m.loan ? `, the reserve lends ${m.loan / MiB} MiB` : ''}`;
  return m.kind;
}

const lent = { loanable: 4 * MiB };
const elsewhere = fsFacts({ dev: 9, freeBytes: 0 });
const cow = fsFacts({ type: 'btrfs', copyOnWrite: true });
const sparse = { ...file, allocated: 50 * MiB };

it.each<[string, ModeFacts, Options, string]>([
  ['--copytruncate, whatever the room', facts('worst-case', 1024), opts({ copytruncate: true }), 'copytruncate'],
  ['room for the worst case beside', facts('worst-case', 1024), opts(), 'streamed beside'],
  ['no room for the worst case: sample first', facts('worst-case', 20), opts(), 'sample'],
  ['no free inode beside: sample first', facts('worst-case', 1024, { fs: fsFacts({ freeBytes: 1024 * MiB, freeInodes: 0 }) }), opts(), 'sample'],
  ['-m: sample first even with room', facts('worst-case', 1024), opts({ memory: 4 * MiB }), 'sample'],
  ['-m: blocks once sampled', facts('estimate', 1024), opts({ memory: 4 * MiB }), 'blocks'],
  ['room for the estimate and its margin', facts('estimate', 14), opts(), 'streamed beside'],
  ['room for the estimate, not its margin', facts('estimate', 12), opts(), 'compress-first'],
  ['the reserve lends what the margin lacks', facts('estimate', 12, lent), opts(), 'streamed beside, the reserve lends 1.5 MiB'],
  ['a reserve too small to lend enough', facts('estimate', 12, { loanable: MiB }), opts(), 'compress-first'],
  ['a reserve, but -k keeps FILE', facts('estimate', 12, lent), opts({ keep: true }), 'compress-first'],
  ['a reserve, but -o on another filesystem', facts('estimate', 12, { ...lent, outputFs: elsewhere }), opts(), 'compress-first'],
  ['no room and more than memory', facts('estimate', 0, { memoryAvailable: 64 * MiB }), opts(), 'blocks'],
  ['room, but beside was ruled out', facts('estimate', 1024, { besideRuledOut: true }), opts(), 'compress-first'],
  ['beside ruled out and more than memory', facts('estimate', 1024, { besideRuledOut: true, memoryAvailable: 64 * MiB }), opts(), 'blocks'],
  ['counted: room for exactly the .gz', facts('counted', 11), opts(), 'streamed beside'],
  ['counted: no room, the reserve does not lend', facts('counted', 10, lent), opts(), 'compress-first'],
  ['exact: room beside', facts('exact', 12), opts(), 'beside'],
  ['exact: a stash on a disk', facts('exact', 0, { stashes: [disk] }), opts(), 'stash'],
  ['exact: a stash in RAM', facts('exact', 0, { stashes: [shm] }), opts(), 'stash'],
  ['exact: a stash in RAM, --safe', facts('exact', 0, { stashes: [shm] }), opts({ safe: true }), 'refused NO_STASH'],
  ['exact: no stash', facts('exact', 0), opts(), 'in-place, window'],
  ['exact: no stash, --safe', facts('exact', 0), opts({ safe: true }), 'refused NO_STASH'],
  ['exact: copy-on-write, a stash', facts('exact', 0, { fs: cow, stashes: [disk] }), opts(), 'stash, unlink then write'],
  ['exact: copy-on-write, no stash', facts('exact', 0, { fs: cow }), opts(), 'in-place, unlink then write, window'],
  ['exact: holes in FILE, nothing free', facts('exact', 0, { file: sparse }), opts(), 'in-place, unlink then write, window'],
  ['exact: -o on a full filesystem', facts('exact', 1024, { outputFs: elsewhere }), opts(), 'refused NO_SPACE'],
  ['exact: no room, -k', facts('exact', 0), opts({ keep: true }), 'refused NO_SPACE'],
])('%s', (_what, f, o, expected) => expect(said(f, o)).toBe(expected));
