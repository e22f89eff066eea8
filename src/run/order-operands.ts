// Several files named by hand on a tight disk: compressed in the order --until would plan (the one
// that frees room first, then those that then fit beside), so that at most one of them takes a risk.
import fs from 'node:fs';
import path from 'node:path';
import type { Options, Target } from '../plan/options.js';
import { RESERVE, worstCaseCompressed } from '../plan/plan.js';
import { planSet } from '../plan/set-plan.js';
import { availableMemory } from '../probe/memory.js';
import { stashCandidates } from '../probe/stash.js';
import { CORES } from '../steps/parallel.js';
import { gatherCandidates, groupOperands, type OperandGroup } from './set-candidates.js';
import { fsPath } from '../fs/raw-names.js';

/** No target but every file: the plan is only an order. */
const EVERY_FILE: Target = { kind: 'free', bytes: Infinity };

/** Only compression that frees the files' own filesystem has an order that matters. */
const ordered = (opts: Options) => !opts.test && !opts.stdout && !opts.decompress && !opts.list && !opts.keep && !opts.output;

const isRegular = (file: string) => fs.lstatSync(fsPath(file), { throwIfNoEntry: false })?.isFile() ?? false;

/** The group's files in the planned order, those the plan leaves out after them as named. */
function planned(group: OperandGroup, opts: Options): string[] {
  const worstCase = group.files.reduce((n, f) => n + worstCaseCompressed(fs.statSync(fsPath(f)).size) + RESERVE, 0);
  if (group.fs.freeBytes >= worstCase) return group.files; // every .gz fits beside at once: any order is safe
  // Named by hand: the active log of a set is the operator's choice, not ours to pass over.
  const { candidates } = gatherCandidates(group, { ...opts, includeActive: true, anyFile: true });
  const stashes = stashCandidates(group.fs.dev, opts.stash ? [opts.stash] : [], opts.noStash);
  const steps = planSet({ fs: group.fs, target: EVERY_FILE, candidates, stashes, memoryAvailable: availableMemory(), cores: CORES, riskyTaken: false }, opts).steps.map((s) => s.path);
  return [...steps, ...group.files.filter((f) => !steps.includes(f))];
}

/** The operands with their regular files reordered among their own places; the others keep theirs. */
export function orderOperands(operands: readonly string[], opts: Options): string[] {
  const named = new Map(operands.filter(isRegular).map((o) => [path.resolve(o), o]));
  if (named.size < 2 || !ordered(opts)) return [...operands];
  let sequence: string[];
  try {
    sequence = groupOperands([...named.values()]).flatMap((g) => planned(g, opts).map((f) => named.get(f)!));
  } catch {
    return [...operands]; // a file gone or unreadable meanwhile: in the order named, each run says what it found
  }
  const placed = new Set<string>();
  let next = 0;
  return operands.map((o) => {
    const abs = path.resolve(o);
    if (!named.has(abs) || placed.has(abs)) return o; // not a file to order, or named twice: where it was
    placed.add(abs);
    return sequence[next++];
  });
}
