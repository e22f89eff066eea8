// Strategy beside, FILE read whole: the .gz written to a temporary next to FILE, verified, renamed, then
// FILE removed (bytes a writer appended meanwhile first go to the .gz as further members). No risk at any point.
import type { StepFacts } from '../plan/steps.js';
import { step } from '../plan/steps.js';
import { assertUnchanged } from '../steps/free-original.js';
import { dropBesideNote, leaveBesideNote } from '../steps/beside-note.js';
import { removeCaughtUp } from '../steps/remove-caught-up.js';
import { STEP } from '../steps/step-names.js';
import { writeChunks } from '../steps/write-chunks.js';
import { bytes } from '../text/format.js';
import { act, type Listed } from './action.js';
import { tempActions } from './temp-steps.js';
import type { WholeJob } from './whole-job.js';

export function besideSteps(s: StepFacts): Listed<WholeJob>[] {
  const gz = s.gz ?? 'gz';
  const [write, ...rest] = tempActions<WholeJob>([['file'], ['memory']], [['file'], [gz], ['memory']], s.compressedSize, {
    outputPath: (c) => c.outputPath,
    fill: (c, fd) => {
      // The note shows a later run that the .gz beside FILE is ours, should this run stop before FILE goes.
      if (!s.keep) leaveBesideNote(c.facts);
      writeChunks(fd, c.chunks());
    },
    verify: (c, file) => c.verify(file),
    metadata: (c) => c.facts,
    beforeRename: (c) => {
      if (!s.keep) assertUnchanged(c.facts);
    },
  });
  const noted = {
    ...write,
    undo: (c: WholeJob) => {
      write.undo!(c);
      if (!s.keep) dropBesideNote(c.facts);
    },
  };
  const remove = act<WholeJob>(step(STEP.removeFile, [[gz], ['memory']]), {
    held: true,
    run: async (c) => {
      const caught = await removeCaughtUp(c.facts, c.output, c.level);
      dropBesideNote(c.facts);
      if (caught > 0) c.say.warn(`${c.facts.path} grew by ${bytes(caught)} after it was read (a writer appends to it): appended to ${c.output} as a further gzip member first`);
      c.say.info(`removed ${c.facts.path}`);
    },
  });
  return [step(STEP.read, [['file']], s.size), noted, ...rest, ...(s.keep ? [] : [remove])];
}
