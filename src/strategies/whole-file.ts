// Whole-file mode, FILE read and compressed in memory: the plan's strategy's list (beside, stash then rewrite, or in place).
import type { Plan } from '../plan/plan.js';
import type { StepFacts } from '../plan/steps.js';
import type { Listed } from './action.js';
import { besideSteps } from './beside.js';
import { inPlaceSteps } from './in-place.js';
import { stashRewriteSteps } from './stash-rewrite.js';
import type { WholeJob } from './whole-job.js';

export function wholeFileSteps(p: Pick<Plan, 'strategy' | 'method' | 'stash'>, s: StepFacts): Listed<WholeJob>[] {
  if (p.strategy === 'beside') return besideSteps(s);
  return p.strategy === 'stash' ? stashRewriteSteps(p, s) : inPlaceSteps(p, s);
}
