// What a kill -9 and what a power cut can lose, derived from where the plan keeps copies of FILE's bytes
// at each step: FILE, the .gz on FILE's disk, a safety copy on another disk, one in RAM, or memory alone.
import type { BlockPlan } from './block-plan.js';
import type { Plan } from './plan.js';

export interface LossWindow {
  steps: string[];
  /** Expected length, from the bytes the steps write and read back. */
  seconds: number;
  /** Where the only copies are meanwhile, in words. */
  why: string;
}

export interface LossWindows {
  kill9?: LossWindow;
  powerCut?: LossWindow;
}

/** A rough disk rate for the estimate: writing, fsync and reading back, as measured on this project's test machines. */
const BYTES_PER_SECOND = 200 * 2 ** 20;
const secondsFor = (bytes: number) => Math.max(0.1, Math.round((bytes / BYTES_PER_SECOND) * 10) / 10);

const REWRITE = ['rewrite FILE in place', 'fsync', 'cut to the .gz length', 'verify', 'rename to FILE.gz'];
const UNLINK_FIRST = ['remove FILE (copy-on-write filesystem)', 'write the .gz', 'fsync', 'verify', 'rename'];

/** The whole-file strategies: beside, stash then in place (or unlink first on copy-on-write), in place. */
export function planWindows(p: Pick<Plan, 'strategy' | 'method' | 'stash'>, compressedSize: number): LossWindows {
  if (p.strategy === 'beside') return {};
  const steps = p.method === 'unlink' ? UNLINK_FIRST : REWRITE;
  const seconds = secondsFor(2 * compressedSize);
  if (p.strategy === 'in-place') {
    const why = 'the only complete copy is in this process\'s memory';
    return { kill9: { steps, seconds, why }, powerCut: { steps, seconds, why } };
  }
  if (!p.stash?.fs.ramBacked) return {};
  return { powerCut: { steps, seconds, why: `the safety copy is in RAM (${p.stash.dir}, ${p.stash.fs.type}), which a reboot or power cut empties` } };
}

/** Block mode: parts are fsynced before each cut, so only a first part outside any disk opens a window. */
export function blockWindows(p: Pick<BlockPlan, 'firstPart' | 'stash' | 'blockSize' | 'blocks'>): LossWindows {
  if (p.firstPart === 'window') {
    const steps = ['cut the last block off FILE', 'write its part', 'fsync'];
    const why = "the last block is only in this process's memory until its part is on disk";
    const seconds = secondsFor(p.blockSize);
    return { kill9: { steps, seconds, why }, powerCut: { steps, seconds, why } };
  }
  if (p.firstPart !== 'stash' || !p.stash?.fs.ramBacked) return {};
  return {
    powerCut: {
      steps: ['cut blocks while their parts are in the stash', 'move the journal beside FILE once there is room'],
      seconds: secondsFor(p.blockSize * Math.min(p.blocks, 2)),
      why: `until FILE's disk has room for them, the first parts are in RAM (${p.stash.dir}, ${p.stash.fs.type}), which a reboot or power cut empties`,
    },
  };
}

/** --copytruncate: the copy is durable before the cut; only a copy in RAM leaves the file to a power cut until the .gz is written. */
export function truncateWindows(place: { kind: 'beside' | 'stash'; stash?: { dir: string; fs: { type: string; ramBacked: boolean } } }, compressedSize: number): LossWindows {
  if (place.kind !== 'stash' || !place.stash?.fs.ramBacked) return {};
  const { dir, fs } = place.stash;
  return { powerCut: { steps: ['truncate FILE', 'write the .gz from the stash', 'fsync'], seconds: secondsFor(2 * compressedSize), why: `the copy is in RAM (${dir}, ${fs.type}), which a reboot or power cut empties` } };
}

/** One line for each kind of loss, for the plan's output. */
export function describeWindows(w: LossWindows): string[] {
  const line = (what: string, window?: LossWindow) =>
    window ? `loss window on ${what}: ${window.steps.join(', ')} (about ${window.seconds} s): ${window.why}` : `loss window on ${what}: none`;
  return [line('kill -9', w.kill9), line('power cut or reboot', w.powerCut)];
}
