// --copytruncate (and a deleted file reclaimed through /proc/PID/fd/N) as its list of steps: the copy made
// durable (beside, beside appending to an earlier archive, or in a stash), the writer caught up with,
// FILE truncated to 0 through our own descriptor, then the .gz in place. The one place the order is
// written: --simulate prints this list and the executor runs it.
import type { Place as TruncatePlace } from '../plan/copytruncate-place.js';
import { stashPlace, step, tempSteps, type Copy, type StepFacts } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { act, type Listed } from './action.js';
import { appendedCopy, besideCopy, catchUp, renameAppended, fsyncAppendedFolder, stashCopy, verifyAppended } from './copytruncate-copy.js';
import { appendStash, fsyncFile, gzFromStash, removeStashAfter, truncate, verifyBeside } from './copytruncate-after.js';
import type { Code, TruncateCtx } from './copytruncate-ctx.js';

export { onlyInStash, type TruncateCtx } from './copytruncate-ctx.js';

/**
 * The temporary's five steps paired with the code besideCopy gives (write, fsync, verify, rename, fsync the folder):
 * not the shared tempActions, whose rename commits; here FILE is still whole, and a failure up to the truncation undoes the copy.
 */
const pair = (steps: ReturnType<typeof tempSteps>, code: readonly Code[]) => steps.map((s, i) => act(s, code[i]));

/**
 * Signals wait from the truncation (beside an earlier archive, from the rename over it) to the end: once FILE
 * is cut the copy is all there is, and the .gz is made whole before a signal may stop the run.
 */
const cutting = { held: true } as const;

/** The list for the copy's place; its first step, the read, is done before the plan is made. */
export function truncateSteps(place: TruncatePlace, s: StepFacts): Listed<TruncateCtx>[] {
  const gz = s.gz ?? 'gz';
  const read = step(STEP.read, [['file']], s.size);
  const after = (safe: Copy) => [
    act(step(STEP.truncate, [safe]), { ...truncate, ...cutting, commits: true }),
    act(step(STEP.fsyncFile, [safe]), { ...fsyncFile, ...cutting }),
  ];
  // The earlier archive holds none of FILE's bytes: it is replaced, by rename, only by a whole that begins with it.
  if (place.kind === 'beside' && place.append)
    return [
      read,
      act(step(STEP.copyArchive, [['file'], ['memory']], s.compressedSize), appendedCopy),
      act(step(STEP.verify, [['file'], [gz], ['memory']], s.compressedSize), verifyAppended),
      act(step(STEP.catchUp, [['file'], [gz]]), catchUp),
      act(step(STEP.rename, [['file'], [gz]]), { ...renameAppended, ...cutting }),
      act(step(STEP.fsyncFolder, [['file'], [gz]]), { ...fsyncAppendedFolder, ...cutting }),
      ...after([gz]),
      act(step(STEP.verify, [[gz]], s.compressedSize), { ...verifyBeside, ...cutting }),
    ];
  if (place.kind === 'beside')
    return [
      read,
      ...pair(tempSteps([['file'], ['memory']], [['file'], [gz], ['memory']], s.compressedSize), besideCopy),
      act(step(STEP.catchUp, [['file'], [gz]]), catchUp),
      ...after([gz]),
      act(step(STEP.verify, [[gz]], s.compressedSize), { ...verifyBeside, ...cutting }),
    ];
  const safety = stashPlace(place.stash.fs.ramBacked);
  return [
    read,
    act(step(STEP.writeStash, [['file'], ['memory']], 2 * s.compressedSize), stashCopy(place.stash)),
    act(step(STEP.catchUp, [['file'], [safety]]), catchUp),
    ...after([safety]),
    ...(place.append
      ? [act(step(STEP.appendStash, [[safety]], s.compressedSize), { ...appendStash, ...cutting })]
      : gzFromStash([[safety]], [[safety], [gz]], s.compressedSize).map((a) => ({ ...a, ...cutting }))),
    act(step(STEP.removeStash, [[gz]]), { ...removeStashAfter, ...cutting }),
  ];
}
