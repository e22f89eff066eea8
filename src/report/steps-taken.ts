// The run's side of the plan's steps: each step reported as it is reached, checked against the planned
// list, timed, and shown with where FILE's bytes are meanwhile. One job runs at a time, as operands do.
import { describeWindows, type LossWindows } from '../plan/loss-windows.js';
import { describeCopies, type Step } from '../plan/steps.js';
import type { Logger } from './logger.js';

export interface TakenStep {
  name: string;
  ms: number;
  /** Set when the run reached a step its plan did not have next: a bug, told rather than hidden. */
  unplanned?: true;
}

interface Trace {
  planned: readonly Step[];
  taken: TakenStep[];
  /** When the last step taken began; undefined before the first one reached here. */
  since?: number;
  log: Logger;
}

let current: Trace | undefined;

function close(t: Trace): void {
  const last = t.taken.at(-1);
  if (last && t.since !== undefined) last.ms = Math.round(performance.now() - t.since);
}

/** Starts reporting against planned; the first `done` steps already ran (reading happens before the plan). */
export function startSteps(planned: readonly Step[], log: Logger, done: TakenStep[] = []): void {
  current = { planned, taken: [...done], log };
}

/** Marks the start of the named step; outside a planned run (a resume, -d) it does nothing. */
export function reached(name: string): void {
  const t = current;
  if (!t) return;
  close(t);
  const index = t.taken.length;
  const expected = t.planned[index];
  const entry: TakenStep = { name, ms: 0 };
  if (expected?.name !== name) {
    entry.unplanned = true;
    t.log.warn(`step "${name}" was not the next planned step (${expected ? `"${expected.name}"` : 'the plan had ended'}); please report this`);
  }
  t.taken.push(entry);
  t.since = performance.now();
  t.log.detail(`step ${index + 1}/${t.planned.length}: ${name}${expected?.name === name ? `; copies meanwhile: ${describeCopies(expected.copies)}` : ''}`);
}

/** Ends the run's trace and hands back the steps taken, the last one timed. */
export function endSteps(): TakenStep[] {
  const t = current;
  current = undefined;
  if (!t) return [];
  close(t);
  return t.taken;
}

/** The planned list for the plan's output: numbered, each with its copies; long block lists are shortened. */
export function describeSteps(steps: readonly Step[], shown = 24): string[] {
  const line = (s: Step, i: number) => `  ${i + 1}. ${s.name} [${describeCopies(s.copies)}]`;
  if (steps.length <= shown) return steps.map(line);
  const tail = 6;
  const head = steps.slice(0, shown - tail).map(line);
  return [...head, `  ... ${steps.length - shown} more steps (--json lists every one) ...`, ...steps.slice(-tail).map((s, i) => line(s, steps.length - tail + i))];
}

/** The plan's steps and the two windows read off them, as the plan's output shows them. */
export function planLines(steps: readonly Step[], windows: LossWindows): string[] {
  return ["steps, and where complete copies of FILE's bytes are during each:", ...describeSteps(steps), ...describeWindows(windows)];
}

export interface StepJson {
  name: string;
  copies: string[];
  ms?: number;
  unplanned?: true;
}

/** The steps taken, for --json: each with the copies its plan gave it. */
export function takenJson(planned: readonly Step[], taken: readonly TakenStep[]): StepJson[] {
  return taken.map((t, i) => ({
    name: t.name,
    copies: planned[i]?.name === t.name ? planned[i].copies.map((c) => c.join('+')) : [],
    ms: t.ms,
    ...(t.unplanned ? { unplanned: true as const } : {}),
  }));
}

/** Runs fn as the steps of planned; however it ends, the steps taken land in into.steps. */
export async function takeSteps<T>(planned: readonly Step[], log: Logger, done: TakenStep[], into: { steps?: StepJson[] }, fn: () => Promise<T>): Promise<T> {
  startSteps(planned, log, done);
  try {
    return await fn();
  } finally {
    into.steps = takenJson(planned, endSteps());
  }
}
