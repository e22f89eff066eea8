// What a kill -9 and what a power cut can lose, read off a plan's steps: the steps during which no copy
// of FILE's bytes is in a place that outlives it (memory dies with the process, RAM with the machine).
import { CmemError } from '../errors.js';
import type { Copy, Place, Step } from './steps.js';

export interface LossWindow {
  steps: string[];
  /** Expected length, from the bytes the steps write and read back. */
  seconds: number;
  /** Where the only copies are meanwhile, in words. */
  why: string;
  /** What holds them then: this process's memory, a safety copy in RAM, or a .gz written to RAM. */
  where: 'memory' | 'ram-stash' | 'ram-gz';
}

export interface LossWindows {
  kill9?: LossWindow;
  powerCut?: LossWindow;
}

/** A rough disk rate for the estimate: writing, fsync and reading back, as measured on this project's test machines. */
const BYTES_PER_SECOND = 200 * 2 ** 20;
const secondsFor = (bytes: number) => Math.max(0.1, Math.round((bytes / BYTES_PER_SECOND) * 10) / 10);

/** What each kind of stop empties. */
const LOST: Record<keyof LossWindows, ReadonlySet<Place>> = {
  kill9: new Set(['memory']),
  powerCut: new Set(['memory', 'ram-stash', 'ram-gz']),
};

const survives = (copy: Copy, kind: keyof LossWindows) => copy.every((place) => !LOST[kind].has(place));

/** The RAM safety copy, named where it is: a window's reason says which folder a reboot empties. */
export interface RamPlace {
  dir: string;
  type: string;
}

function windowOf(steps: readonly Step[], kind: keyof LossWindows, ram?: RamPlace): LossWindow | undefined {
  const open = steps.filter((s) => !s.copies.some((c) => survives(c, kind)));
  if (open.length === 0) return undefined;
  const has = (place: Place) => open.some((s) => s.copies.some((c) => c.includes(place)));
  const where = has('ram-stash') ? 'ram-stash' : has('ram-gz') ? 'ram-gz' : 'memory';
  const why = {
    'ram-stash': `the safety copy is in RAM${ram ? ` (${ram.dir}, ${ram.type})` : ''}, which a reboot or power cut empties`,
    'ram-gz': 'the .gz goes to a RAM-backed filesystem (-o), which a reboot or power cut empties, and FILE is gone',
    memory: "the only complete copy is in this process's memory",
  }[where];
  return { steps: open.map((s) => s.name), seconds: secondsFor(open.reduce((n, s) => n + s.bytes, 0)), why, where };
}

export function windowsOf(steps: readonly Step[], ram?: RamPlace): LossWindows {
  return { kill9: windowOf(steps, 'kill9', ram), powerCut: windowOf(steps, 'powerCut', ram) };
}

/** One line for each kind of loss, for the plan's output. */
export function describeWindows(w: LossWindows): string[] {
  const line = (what: string, window?: LossWindow) =>
    window ? `loss window on ${what}: ${window.steps.join(', ')} (about ${window.seconds} s): ${window.why}` : `loss window on ${what}: none`;
  return [line('kill -9', w.kill9), line('power cut or reboot', w.powerCut)];
}

const WAYS_OUT = {
  memory: 'give --stash DIR on another disk with room, or drop --safe to accept the window',
  'ram-stash': 'give --stash DIR on another disk with room, or add --allow-ram-stash to accept a copy that survives a kill -9 but not a power cut',
  'ram-gz': 'give -o a folder on a disk, keep the original with -k, or drop --safe',
};

/** --safe: a plan with a window of either kind is refused; --allow-ram-stash lets a safety copy in RAM through. */
export function unsafeRefusal(w: LossWindows, opts: { safe: boolean; allowRamStash: boolean }): CmemError | undefined {
  if (!opts.safe) return undefined;
  const [kind, window] = w.kill9 ? ['a kill -9', w.kill9] : w.powerCut && !(opts.allowRamStash && w.powerCut.where === 'ram-stash') ? ['a power cut or reboot', w.powerCut] : [];
  if (!window) return undefined;
  return new CmemError('WINDOW_REFUSED', `--safe refuses this plan: ${kind} during ${window.steps.join(', ')} would lose the file (${window.why})`, WAYS_OUT[window.where]);
}
