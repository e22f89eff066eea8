// Strategy stash then rewrite: a verified safety copy of the .gz on another filesystem (or in RAM) first,
// with a manifest a rerun finds it by; then FILE rewritten in place (or unlinked first), then the copy
// removed. While FILE is rewritten, the copy holds every byte.
import type { Plan } from '../plan/plan.js';
import { stashPlace, step, type Copy, type StepFacts } from '../plan/steps.js';
import { removeStash, setStashPhase, writeStash } from '../steps/stash.js';
import { STEP } from '../steps/step-names.js';
import { act, type Listed } from './action.js';
import { replaceActions } from './in-place.js';
import type { WholeJob } from './whole-job.js';

export function stashRewriteSteps(p: Pick<Plan, 'method' | 'stash'>, s: StepFacts): Listed<WholeJob>[] {
  const gz = s.gz ?? 'gz';
  const safety: Copy = [stashPlace(p.stash!.fs.ramBacked)];
  const stashed = act<WholeJob>(step(STEP.writeStash, [['file'], ['memory']], 2 * s.compressedSize), {
    run: async (c) => {
      const { paths, manifest } = c.stash!;
      c.say.info(`writing the stash copy ${paths.data} on ${p.stash!.fs.mountPoint} (${p.stash!.fs.type})`);
      await writeStash(paths, manifest, c.chunks(), c.verify, () => (c.stash!.ours = true));
      c.say.info(`stash copy verified and durable; manifest ${paths.manifest}`);
    },
    // Only a copy this run began: another job's record at the same names is never removed.
    undo: (c) => {
      if (!c.stash!.ours) return;
      removeStash(c.stash!.paths);
      c.say.info(`the stash copy was removed`);
    },
  });
  const [first, ...rest] = replaceActions(p.method, [safety, ['memory']], [safety, [gz], ['memory']], s.compressedSize);
  // The manifest says FILE is being rewritten before it is: a rerun then knows FILE's bytes may be the .gz's.
  const marked = {
    ...first,
    run: (c: WholeJob) => {
      c.stash!.manifest = setStashPhase(c.stash!.paths, c.stash!.manifest, 'rewriting');
      return first.run!(c);
    },
  };
  const unstash = act<WholeJob>(step(STEP.removeStash, [[gz], ['memory']]), {
    // Still held: a signal during the rewrite must not stop the run before the copy is gone.
    held: true,
    run: (c) => {
      removeStash(c.stash!.paths);
      c.say.info(`removed the stash copy`);
    },
  });
  return [step(STEP.read, [['file']], s.size), stashed, marked, ...rest, unstash];
}
