// Which way one file goes, from what is known of it so far: the one choice of mode, a pure function of
// the facts and the options. The run asks again as it learns more (a sample's estimate, the size a
// simulated stream counted, the exact size once compressed, a write beside that ran out of room).
import { needsBlockMode } from './block-plan.js';
import { loanNeeded, withLoan } from './loan.js';
import type { Options } from './options.js';
import { ESTIMATE_MARGIN, plan, planByEstimate, type Plan, type PlanInput } from './plan.js';

/** How the .gz's size is known: bounded before any sample, estimated from one, counted by a simulated stream, or exact once compressed. */
export type SizeKnown = 'worst-case' | 'estimate' | 'counted' | 'exact';

export interface ModeFacts extends Omit<PlanInput, 'compressedSize'> {
  gz: { bytes: number; known: SizeKnown };
  /** What the reserve on FILE's filesystem could lend (its size; 0 without one), read once the .gz is estimated. */
  loanable?: number;
  /** The .gz was found not to fit beside after all (counted, or its write ran out of room): beside is not tried again. */
  besideRuledOut?: boolean;
}

export type WholeFile = { kind: 'whole-file'; plan: Plan };

export type Mode =
  /** --copytruncate: the copy is made durable, then FILE is cut to 0 under its writer (copytruncate-place.ts says where). */
  | { kind: 'copytruncate' }
  /** The worst case does not fit beside: estimate the .gz from a sample (and read the reserve) before choosing. */
  | { kind: 'sample' }
  /** Compressed while read, into a temporary beside FILE; loan: bytes the reserve lends for it, 0 for none. */
  | { kind: 'streamed-beside'; plan: Plan; loan: number }
  /** Larger than memory (or -m): tail first, in blocks, with durable parts. */
  | { kind: 'blocks' }
  /** Fits in memory, but not beside: compress it whole, then choose again with the exact size. */
  | { kind: 'compress-first' }
  /** Held in memory: beside, stash then rewrite, or in place (plan.strategy), by overwrite or unlink then write (plan.method). */
  | WholeFile;

/** Once the exact size is known, FILE is in memory, compressed: only the whole-file modes are left. */
export function chooseMode(f: ModeFacts & { gz: { known: 'exact' } }, opts: Options): WholeFile;
export function chooseMode(f: ModeFacts, opts: Options): Mode;
export function chooseMode(f: ModeFacts, opts: Options): Mode {
  if (f.gz.known === 'exact') return { kind: 'whole-file', plan: plan({ ...f, compressedSize: f.gz.bytes }, opts) };
  if (opts.copytruncate) return { kind: 'copytruncate' };
  const beside = f.besideRuledOut ? undefined : streamedBeside(f, opts);
  if (beside) return beside;
  if (f.gz.known === 'worst-case') return { kind: 'sample' };
  return needsBlockMode(f.file.size, f.gz.bytes, f.memoryAvailable, opts) ? { kind: 'blocks' } : { kind: 'compress-first' };
}

/** Beside while streaming, if the .gz fits (an estimate with a margin), or fits once the reserve lends the rest. -m asks for blocks. */
function streamedBeside(f: ModeFacts, opts: Options): Mode | undefined {
  if (opts.memory !== undefined) return undefined;
  const input: PlanInput = { ...f, stashes: [], compressedSize: f.gz.bytes };
  const fits = planByEstimate(input, opts, f.gz.known === 'estimate' ? ESTIMATE_MARGIN : 1);
  if (fits?.strategy === 'beside') return { kind: 'streamed-beside', plan: fits, loan: 0 };
  // No room beside, but a reserve on this filesystem: it lends just the room the .gz needs, so no stash and no window.
  if (f.gz.known !== 'estimate' || opts.keep || f.outputFs.dev !== f.fs.dev) return undefined;
  const loan = loanNeeded(f.fs, f.gz.bytes);
  if (loan <= 0 || loan > (f.loanable ?? 0)) return undefined;
  const lent = withLoan(f.fs, loan);
  const byLoan = planByEstimate({ ...input, fs: lent, outputFs: lent }, opts);
  return byLoan?.strategy === 'beside' ? { kind: 'streamed-beside', plan: byLoan, loan } : undefined;
}
