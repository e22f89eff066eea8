// The rerun of a beside job stopped between its rename and its unlink: the .gz holds FILE's bytes,
// verified by the caller; FILE alone is left to remove.
import { step } from '../plan/steps.js';
import type { FileFacts } from '../probe/file.js';
import { dropBesideNote } from '../steps/beside-note.js';
import { freeOriginal } from '../steps/free-original.js';
import { STEP } from '../steps/step-names.js';
import { act, type Action } from './action.js';

export const besideFinishSteps = (): Action<FileFacts>[] => [
  act(step(STEP.removeFile, [['gz']]), {
    held: true,
    run: (facts) => {
      freeOriginal(facts);
      dropBesideNote(facts);
    },
  }),
];
