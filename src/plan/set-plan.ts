// Plans a set of files to reach a free-space target (--until, --free): which files, in which order, each
// with the strategy plan() gives it at the free space expected by then, so that at most one step is risky.
import type { FileFacts } from '../probe/file.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { StashCandidate } from '../probe/stash.js';
import { needsBlockMode, planBlocks } from './block-plan.js';
import { copyTruncatePlace } from './copytruncate-place.js';
import type { Options, Target } from './options.js';
import { ESTIMATE_MARGIN, planByEstimate, roundUp, type Strategy } from './plan.js';
import { usableBytes, usedFraction } from './scan-levels.js';
import { withLoan } from './loan.js';

/** A file of the set left alone, and why. */
export interface Passed {
  path: string;
  reason: string;
}

export interface SetCandidate {
  file: FileFacts;
  outputPath: string;
  /** Compressed size estimated from a sample (estimateCompressed), as compressFile will estimate it. */
  estimated: number;
}

export interface SetInput {
  /** FILE's filesystem as it is now. */
  fs: FsFacts;
  target: Target;
  candidates: readonly SetCandidate[];
  stashes: StashCandidate[];
  memoryAvailable: number;
  cores: number;
  /** An earlier step of this run was risky already: the budget of one is spent. */
  riskyTaken: boolean;
  /** Bytes the reserve on fs (--reserve) can lend a .gz beside: a file goes beside in that room, and the reserve grows back. */
  loanable?: number;
}

export interface SetStep {
  path: string;
  size: number;
  estimated: number;
  strategy: Strategy | 'blocks' | 'copytruncate';
  /** Where the safety copy goes, when there is one on another filesystem. */
  stash?: string;
  /** The only copy of some bytes is, for a moment, in memory or on a RAM-backed stash (lost on a power cut). */
  risky: boolean;
  freeBefore: number;
  freeAfter: number;
}

export interface SetPlan {
  /** Free bytes the target asks for. */
  wanted: number;
  before: number;
  steps: SetStep[];
  expectedFree: number;
  expectedUsedFraction: number;
  met: boolean;
  /** Why the plan stops short of the target. */
  short?: string;
}

/** The free bytes a target asks for on fs: --until counts use as df and --scan do (used / (used + available)). */
export function wantedFree(target: Target, fs: Pick<FsFacts, 'totalBytes' | 'reservedBytes'>): number {
  return target.kind === 'free' ? target.bytes : Math.ceil(usableBytes(fs) * (1 - target.usedFraction));
}

/** Bytes a file gives back once its .gz replaces it, counted in the filesystem's blocks. */
export const savingOf = (c: SetCandidate, blockSize: number): number => roundUp(c.file.size, blockSize) - roundUp(c.estimated, blockSize);

type Placed = Pick<SetStep, 'strategy' | 'stash' | 'risky'>;

const ramStash = (s: StashCandidate | undefined) => s?.fs.ramBacked ?? false;

/** The strategy compressFile would choose for c at free space fsNow, or undefined where it would refuse. */
function place(c: SetCandidate, fsNow: FsFacts, input: SetInput, opts: Options): Placed | undefined {
  try {
    if (opts.copytruncate) {
      const at = copyTruncatePlace(c.file.dev, fsNow, input.stashes, Math.ceil(c.estimated * ESTIMATE_MARGIN));
      return at.kind === 'beside' ? { strategy: 'copytruncate', risky: false } : { strategy: 'copytruncate', stash: at.stash.dir, risky: ramStash(at.stash) };
    }
    const planInput = { file: c.file, fs: fsNow, outputPath: c.outputPath, outputFs: fsNow, stashes: input.stashes, compressedSize: c.estimated, memoryAvailable: input.memoryAvailable };
    const whole = planByEstimate(planInput, opts);
    if (whole?.strategy === 'beside') return { strategy: 'beside', risky: false };
    const lentFs = withLoan(fsNow, input.loanable ?? 0);
    if (input.loanable && planByEstimate({ ...planInput, fs: lentFs, outputFs: lentFs }, opts)?.strategy === 'beside') return { strategy: 'beside', risky: false };
    if (needsBlockMode(c.file.size, c.estimated, input.memoryAvailable, opts)) {
      const blocks = planBlocks({ file: c.file, fs: fsNow, stashes: input.stashes, estimatedCompressed: c.estimated, memoryAvailable: input.memoryAvailable, cores: input.cores }, opts);
      return { strategy: 'blocks', stash: blocks.stash?.dir, risky: blocks.window || ramStash(blocks.stash) };
    }
    return whole && { strategy: whole.strategy, stash: whole.stash?.dir, risky: whole.window || ramStash(whole.stash) };
  } catch {
    return undefined;
  }
}

/**
 * Greedy on the saving, which takes the fewest files: each step is the largest saver left that is
 * allowed (at most one risky step in all), except that a safe file meeting the target alone beats a
 * risky one. At 0 free the risky step comes first and frees the room for the others to go beside.
 */
export function planSet(input: SetInput, opts: Options): SetPlan {
  const { fs } = input;
  const wanted = wantedFree(input.target, fs);
  const left = input.candidates
    .filter((c) => savingOf(c, fs.blockSize) > 0)
    .sort((a, b) => savingOf(b, fs.blockSize) - savingOf(a, fs.blockSize) || a.file.path.localeCompare(b.file.path));
  const steps: SetStep[] = [];
  let free = fs.freeBytes;
  let riskyTaken = input.riskyTaken;
  let short: string | undefined;
  while (free < wanted) {
    if (left.length === 0) {
      short = 'no file is left that may be compressed';
      break;
    }
    const fsNow = { ...fs, freeBytes: free };
    const placed = left.map((c) => ({ c, at: place(c, fsNow, input, opts) }));
    const allowed = placed.filter((p) => p.at && (!p.at.risky || !riskyTaken));
    const pick = allowed.find((p) => !p.at!.risky && free + savingOf(p.c, fs.blockSize) >= wanted) ?? allowed[0];
    if (!pick) {
      short = placed.some((p) => p.at)
        ? 'every file left needs the stash or the in-place window, and no risky step is allowed any more (one was taken or refused)'
        : 'every file left would be refused at this free space (no room, no stash, or --safe)';
      break;
    }
    const saving = savingOf(pick.c, fs.blockSize);
    steps.push({ path: pick.c.file.path, size: pick.c.file.size, estimated: pick.c.estimated, ...pick.at!, freeBefore: free, freeAfter: free + saving });
    riskyTaken ||= pick.at!.risky;
    free += saving;
    left.splice(left.indexOf(pick.c), 1);
  }
  const expectedUsedFraction = usedFraction(fs, free);
  return { wanted, before: fs.freeBytes, steps, expectedFree: free, expectedUsedFraction, met: free >= wanted, short };
}
