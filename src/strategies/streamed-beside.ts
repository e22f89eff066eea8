// Strategy beside, streamed: the .gz written to a temporary next to FILE while FILE is read, each
// segment checked as later blocks compress, so neither is ever whole in memory; then its ends checked,
// the rename, and FILE removed (bytes a writer appended meanwhile first go to the .gz as further members).
import type { FileFacts } from '../probe/file.js';
import { step, type StepFacts } from '../plan/steps.js';
import { dropBesideNote, leaveBesideNote } from '../steps/beside-note.js';
import type { HeaderFields } from '../steps/gzip-format.js';
import { assertReadWhole } from '../steps/open-source.js';
import { removeCaughtUp } from '../steps/remove-caught-up.js';
import { STEP } from '../steps/step-names.js';
import { sealStreamed, streamTemp, type StreamedTemp } from '../steps/stream-beside.js';
import { dropTemp } from '../steps/write-beside.js';
import { bytes } from '../text/format.js';
import { act, type Action, type Say } from './action.js';
import { folderAction, renameAction, type TempJob } from './temp-steps.js';

export interface StreamedJob extends TempJob {
  /** FILE, open for reading until the .gz is under its name. */
  fd: number;
  facts: FileFacts;
  outputPath: string;
  header: HeaderFields;
  say: Say;
  onBlock?: (bytes: number) => void;
  streamed?: StreamedTemp;
  /** FILE's descriptor closed: it is not read again. */
  closeSource: () => void;
  /** The last look at who holds FILE, right before it goes: a holder seen now takes the .gz back, and throws. */
  clearToRemove: () => Promise<void>;
}

export function streamedSteps(s: StepFacts): Action<StreamedJob>[] {
  const gz = s.gz ?? 'gz';
  const outputPath = (c: StreamedJob) => c.outputPath;
  const remove = act<StreamedJob>(step(STEP.removeFile, [[gz]]), {
    check: (c) => {
      c.closeSource();
      return c.clearToRemove();
    },
    held: true,
    run: async (c) => {
      const caught = await removeCaughtUp(c.facts, c.outputPath, c.header.level);
      dropBesideNote(c.facts);
      if (caught > 0) c.say.warn(`${c.facts.path} grew by ${bytes(caught)} after it was read (a writer appends to it): appended to ${c.outputPath} as a further gzip member first`);
      c.say.info(`removed ${c.facts.path}`);
    },
  });
  return [
    act(step(STEP.stream, [['file']], s.size + s.compressedSize), {
      run: async (c) => {
        // The note shows a later run that the .gz beside FILE is ours, should this run stop before FILE goes.
        if (!s.keep) leaveBesideNote(c.facts);
        c.streamed = await streamTemp({ fd: c.fd, outputPath: c.outputPath, header: c.header, onBlock: c.onBlock }, c);
      },
      undo: (c) => {
        if (c.temp) dropTemp(c.temp);
        if (!s.keep) dropBesideNote(c.facts);
      },
    }),
    act(step(STEP.fsyncTemp, [['file']]), { run: (c) => sealStreamed(c.streamed!, c.facts) }),
    // FILE must not have changed while it was read: a stale .gz never lands.
    renameAction(step(STEP.rename, [['file'], [gz]]), outputPath, (c) => assertReadWhole(c.fd, c.facts, c.streamed!.size)),
    folderAction(step(STEP.fsyncFolder, [['file'], [gz]]), outputPath),
    ...(s.keep ? [] : [remove]),
  ];
}
