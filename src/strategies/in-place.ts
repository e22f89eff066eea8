// Strategy in place: FILE overwritten with its .gz over its own blocks (no new blocks, so no other process
// can take the room meanwhile), or on a copy-on-write filesystem unlinked first. While it runs, memory
// holds the only complete copy: the plan says so, asks consent, and signals are held.
import type { Plan } from '../plan/plan.js';
import { step, type Copy, type StepFacts } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import type { Action, Listed } from './action.js';
import { assertStillAsRead, rewriteActions } from './rewrite-steps.js';
import { unlinkFirstActions } from './unlink-first.js';
import { putOriginalBack, type WholeJob } from './whole-job.js';

/** The rewrite over FILE's blocks, put back from memory on a failure before the rename. */
export const overwriteActions = (held: readonly Copy[], done: readonly Copy[], size: number): Action<WholeJob>[] =>
  rewriteActions<WholeJob>(held, done, size, { check: (c) => assertStillAsRead(c.facts), undo: putOriginalBack });

/** The middle of the in-place and stash strategies, by the plan's method. */
export const replaceActions = (method: Plan['method'], held: readonly Copy[], done: readonly Copy[], size: number) =>
  (method === 'unlink' ? unlinkFirstActions : overwriteActions)(held, done, size);

export function inPlaceSteps(p: Pick<Plan, 'method'>, s: StepFacts): Listed<WholeJob>[] {
  const gz = s.gz ?? 'gz';
  return [step(STEP.read, [['file']], s.size), ...replaceActions(p.method, [['memory']], [[gz], ['memory']], s.compressedSize)];
}
