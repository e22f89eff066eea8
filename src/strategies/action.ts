// A strategy's step as the executor runs it: the plan's step (name, copies, bytes) with the code that does it.
import type { Step } from '../plan/steps.js';

export interface Action<C> extends Step {
  /** The facts that must still hold right before the step acts (the name leads to the inode read, the size is unchanged): throws when one does not. */
  check?: (ctx: C) => void | Promise<void>;
  /** What the step does; a repeated step has each instead. */
  run?: (ctx: C) => void | Promise<void>;
  /** Puts back what the step changed, also when it stopped partway; synchronous, so that a signal can run it too. */
  undo?: (ctx: C) => void;
  /** Once this step is done, no step before it is undone: what it made is the job's result. */
  commits?: boolean;
  /** SIGINT, SIGTERM and SIGQUIT wait while a run of held steps runs (SIGHUP never stops a run). */
  held?: boolean;
  /** A step that stands for a run of blocks (repeat set): the block steps, made as the run reaches them. */
  each?: (ctx: C) => Iterable<Action<C>> | AsyncIterable<Action<C>>;
}

/** A strategy's list: the steps before the executor starts (read before the plan, or done by a killed run) may be plain steps. */
export type Listed<C> = Step | Action<C>;

export const isAction = <C>(s: Listed<C>): s is Action<C> => 'run' in s || 'each' in s;

/** The plan's step with its code: one place that pairs them, so the name printed is the name run. */
export const act = <C>(step: Step, code: Omit<Action<C>, keyof Step>): Action<C> => ({ ...step, ...code });

/** The lines a step says: the run's logger, seen from below it. */
export interface Say {
  info(message: string): void;
  warn(message: string): void;
}
