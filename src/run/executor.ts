// The one executor: runs a strategy's list, each step checked, reported and timed; on a failure
// it undoes what the completed steps define, in reverse, and says where FILE's bytes are. Nothing else
// runs a strategy, so what --simulate prints and what runs are the same list.
import { describeCopies, type Copy } from '../plan/steps.js';
import type { Logger } from '../report/logger.js';
import { announce, announceDone, pauseAt, takenJson, type StepJson, type TakenStep } from '../report/steps-taken.js';
import { isAction, type Action, type Listed } from '../strategies/action.js';
import { hold, onInterrupt } from './signals.js';

export interface Execution<C> {
  steps: readonly Listed<C>[];
  ctx: C;
  log: Logger;
  /** The steps done before the executor started (read before the plan, or by a killed run), with their ms. */
  done?: readonly TakenStep[];
  /** Where the steps taken land, however the run ends: the file's report. */
  into: { steps?: StepJson[] };
  /** The error to throw when a failure leaves what no undo put back (a committed step, or an undo that failed): names the leftovers and the command that finishes. */
  leftBehind?: (cause: unknown, ctx: C) => unknown;
}

/** Undoes the steps in reverse; the first undo that fails stops it (what is left is what the leftovers say). */
function undoAll<C>(undoable: Action<C>[], ctx: C): void {
  for (let s = undoable.pop(); s; s = undoable.pop()) s.undo!(ctx);
}

/** Copies that outlive this run: its memory is gone once it ends. */
const lasting = (copies: readonly Copy[]) => copies.filter((c) => !c.includes('memory'));

/** Where FILE's bytes are once stopped: undone, where they were before the first step undone (during it they may have been in memory only); else during the step that failed. */
function whereNow<C>(steps: readonly Listed<C>[], at: Listed<C>, firstUndone: Action<C> | undefined): Copy[] {
  if (!firstUndone) return lasting(at.copies);
  const before = steps[steps.indexOf(firstUndone) - 1];
  return lasting((before ?? firstUndone).copies);
}

/** A step, or each block step of a repeated one, each stopping at the test seam under its own name. */
async function actAll<C>(step: Action<C>, act: (s: Action<C>) => Promise<void>, ctx: C): Promise<void> {
  if (!step.each) return act(step);
  for await (const sub of step.each(ctx)) {
    pauseAt(sub.name);
    await act(sub);
  }
}

export async function execute<C>(x: Execution<C>): Promise<void> {
  const { steps, ctx, log } = x;
  const taken: TakenStep[] = (x.done ?? []).map((d, at) => ({ ...d, at }));
  taken.forEach((d, i) => announceDone(log, d, i, steps.length));
  const undoable: Action<C>[] = [];
  let committed = false;
  let release: (() => void) | undefined;
  // A signal outside the held steps stops the run: what the steps so far made is put back first.
  const unregister = onInterrupt(() => undoAll(undoable, ctx));
  const act = async (s: Action<C>) => {
    await s.check?.(ctx);
    if (s.undo) undoable.push(s);
    await s.run?.(ctx);
    if (s.commits) {
      undoable.length = 0;
      committed = true;
    }
  };
  let index = taken.length;
  try {
    for (; index < steps.length; index++) {
      const step = steps[index];
      if (!isAction(step)) throw new Error(`step "${step.name}" has no code: only steps done before the executor may be plain`);
      if (step.held && !release) release = hold();
      if (!step.held && release) {
        release();
        release = undefined;
      }
      const t: TakenStep = { name: step.name, ms: 0, at: index };
      taken.push(t);
      const since = performance.now();
      announce(log, step, index, steps.length);
      await actAll(step, act, ctx);
      t.ms = Math.round(performance.now() - since);
    }
  } catch (err) {
    throw stopped(err, steps[index], index);
  } finally {
    unregister();
    release?.();
    x.into.steps = takenJson(steps, taken);
  }

  /** Undoes what can be undone, says where the bytes are, and gives the error to throw. */
  function stopped(err: unknown, at: Listed<C>, index: number): unknown {
    const first = undoable[0];
    let undone = true;
    try {
      undoAll(undoable, ctx);
    } catch (undoErr) {
      undone = false;
      log.error(`putting back what the steps before changed failed: ${(undoErr as Error).message}`);
    }
    const where = whereNow(steps, at, undone ? first : undefined);
    log.info(`stopped at step ${index + 1}/${steps.length} (${at.name})${undone && first ? `; undone back to before "${first.name}"` : ''}; complete copies of FILE's bytes now: ${describeCopies(where)}`);
    return (committed || !undone) && x.leftBehind ? x.leftBehind(err, ctx) : err;
  }
}
