// The run's side of the plan's steps: each step reported as it is reached, checked against the planned
// list, timed, and shown with where FILE's bytes are meanwhile. Each job keeps its own trace (files of -r
// run side by side), carried by its async context.
import { AsyncLocalStorage } from 'node:async_hooks';
import { describeWindows, type LossWindows } from '../plan/loss-windows.js';
import { apart, listen } from '../steps/reached.js';
import { describeCopies, repeatedName, repeatLength, type Step } from '../plan/steps.js';
import type { Logger } from './logger.js';

export interface TakenStep {
  name: string;
  ms: number;
  /** The planned step this is (its index), when it is one. */
  at?: number;
  /** Set when the run strayed from its plan here (a bug, told rather than hidden): what happened. */
  drift?: string;
}

interface Trace {
  planned: readonly Step[];
  taken: TakenStep[];
  /** The planned step under way, and how many of its block steps are done when it stands for several. */
  index: number;
  sub: number;
  /** When the last step taken began; undefined before the first one reached here. */
  since?: number;
  log: Logger;
  /** Set when the code run inside takeSteps ran through the executor: its steps are the report's. */
  executed?: StepJson[];
}

/** The job's trace holder: takeSteps gives each job one; outside any (unit tests), a shared one. */
const traces = new AsyncLocalStorage<{ trace?: Trace }>();
const shared: { trace?: Trace } = {};
const holder = () => traces.getStore() ?? shared;

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

const firstName = (s: Step) => (s.repeat ? repeatedName(s.repeat, 0) : s.name);

function close(t: Trace): void {
  const last = t.taken.at(-1);
  if (last && t.since !== undefined) last.ms = Math.round(performance.now() - t.since);
  const step = t.planned[t.index];
  if (last?.at === t.index && step?.repeat && t.sub < repeatLength(step.repeat)) last.drift ??= `left after ${t.sub} of its ${repeatLength(step.repeat)} block steps`;
}

function drift(t: Trace, name: string, what: string): void {
  t.log.warn(`step "${name}" ${what}; please report this`);
}

/** Starts reporting against planned; the first `done` steps already ran (reading happens before the plan). */
export function startSteps(planned: readonly Step[], log: Logger, done: TakenStep[] = []): void {
  const t: Trace = { planned, taken: done.map((d, at) => ({ ...d, at })), index: done.length - 1, sub: 0, log };
  holder().trace = t;
  listen((name) => reachedIn(t, name));
  // Shown too, so that -v's numbered steps start at 1 as the plan's list does.
  done.forEach((d, at) => log.detail(`step ${at + 1}/${planned.length}: ${d.name}: done, before the plan (${d.ms} ms)`));
}

/** Marks the start of the named step in t. */
function reachedIn(t: Trace, name: string): void {
  const step = t.planned[t.index];
  // A block's step inside a step that stands for a run of blocks: counted, not listed.
  if (step?.repeat && t.sub < repeatLength(step.repeat) && repeatedName(step.repeat, t.sub) === name) {
    t.sub++;
    pauseAt(name);
    return;
  }
  close(t);
  t.since = performance.now();
  const next = t.planned.findIndex((s, i) => i > t.index && firstName(s) === name);
  if (next < 0) {
    t.taken.push({ name, ms: 0, drift: 'not in the plan here' });
    drift(t, name, `was not the next planned step (${t.planned[t.index + 1] ? `"${t.planned[t.index + 1].name}"` : 'the plan had ended'})`);
    return;
  }
  for (let skipped = t.index + 1; skipped < next; skipped++) {
    t.taken.push({ name: t.planned[skipped].name, ms: 0, at: skipped, drift: 'planned, passed over' });
    drift(t, t.planned[skipped].name, 'was planned but passed over');
  }
  const planned = t.planned[next];
  t.taken.push({ name: planned.name, ms: 0, at: next });
  t.index = next;
  t.sub = planned.repeat ? 1 : 0;
  t.log.detail(`step ${next + 1}/${t.planned.length}: ${planned.name}; copies meanwhile: ${describeCopies(planned.copies)}`);
  pauseAt(name);
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

/** Ends the run's trace and hands back the steps taken, the last one timed. */
export function endSteps(): TakenStep[] {
  const h = holder();
  const t = h.trace;
  h.trace = undefined;
  listen(undefined);
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
  drift?: string;
}

/** The steps taken, for --json: each with the copies its plan gave it. */
export function takenJson(planned: readonly Step[], taken: readonly TakenStep[]): StepJson[] {
  return taken.map((t) => ({
    name: t.name,
    copies: t.at === undefined ? [] : planned[t.at].copies.map((c) => c.join('+')),
    ms: t.ms,
    ...(t.drift ? { drift: t.drift } : {}),
  }));
}

/** Code that takeSteps still wraps but that now runs through the executor (block mode's resume) hands over the steps it took. */
export function executedIn(steps: StepJson[] | undefined): void {
  const t = holder().trace;
  if (t) t.executed = steps;
}

/** Runs fn as the steps of planned; however it ends, the steps taken land in into.steps. */
export async function takeSteps<T>(planned: readonly Step[], log: Logger, done: TakenStep[], into: { steps?: StepJson[] }, fn: () => Promise<T>): Promise<T> {
  return traces.run({}, () => apart(async () => {
    startSteps(planned, log, done);
    try {
      return await fn();
    } finally {
      const executed = holder().trace?.executed;
      const taken = endSteps();
      into.steps = executed ?? takenJson(planned, taken);
    }
  }));
}
