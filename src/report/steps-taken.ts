// The executor's report of the steps it runs: the -v line of each with where FILE's bytes are meanwhile,
// the test seam's stop, the plan's numbered list, and the steps taken for --json, each timed.
import { describeWindows, type LossWindows } from '../plan/loss-windows.js';
import { describeCopies, type Step } from '../plan/steps.js';
import type { Logger } from './logger.js';

export interface TakenStep {
  name: string;
  ms: number;
  /** The listed step this is (its index). */
  at?: number;
}

/**
 * A test seam: the run says on stderr which step it reached, then stops itself (SIGSTOP), so that a test can
 * look at the disk at each step and let it go on (SIGCONT). The line is how the test tells one stop from the next.
 */
const stopAtSteps = process.env.CMEMGZIP_STOP_AT_STEPS === '1';
export function pauseAt(name: string): void {
  if (!stopAtSteps) return;
  process.stderr.write(`stopped at: ${name}\n`);
  process.kill(process.pid, 'SIGSTOP');
}

/** The line for a step done before the executor began (the read before the plan), so that -v's numbered steps start at 1 as the plan's list does. */
export function announceDone(log: Logger, step: TakenStep, index: number, total: number): void {
  if (log.chatty) log.detail(`step ${index + 1}/${total}: ${step.name}: done, before the plan (${step.ms} ms)`);
}

/** The executor's line for a step it begins (-v), then the test seam's stop (a repeated step's blocks stop each at their own). */
export function announce(log: Logger, step: Step, index: number, total: number): void {
  // Not made when nothing is shown (-q, --json): -r over thousands of files would make one a step.
  if (log.chatty) log.detail(`step ${index + 1}/${total}: ${step.name}; copies meanwhile: ${describeCopies(step.copies)}`);
  if (!step.repeat) pauseAt(step.name);
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
}

/** The steps taken, for --json: each with the copies its list gives it. */
export function takenJson(planned: readonly Step[], taken: readonly TakenStep[]): StepJson[] {
  return taken.map((t) => ({ name: t.name, copies: t.at === undefined ? [] : planned[t.at].copies.map((c) => c.join('+')), ms: t.ms }));
}
