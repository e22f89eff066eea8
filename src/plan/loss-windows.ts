// What a kill -9 and what a power cut can lose, read off a plan's steps: the steps during which no copy
// of FILE's bytes is in a place that outlives it (memory dies with the process, RAM with the machine).
import type { Copy, Place, Step } from './steps.js';

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

/** What each kind of stop empties. */
const LOST: Record<keyof LossWindows, ReadonlySet<Place>> = {
  kill9: new Set(['memory']),
  powerCut: new Set(['memory', 'ram-stash']),
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
  const inRam = open.some((s) => s.copies.some((c) => c.includes('ram-stash')));
  const why = inRam
    ? `the safety copy is in RAM${ram ? ` (${ram.dir}, ${ram.type})` : ''}, which a reboot or power cut empties`
    : "the only complete copy is in this process's memory";
  return { steps: open.map((s) => s.name), seconds: secondsFor(open.reduce((n, s) => n + s.bytes, 0)), why };
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
