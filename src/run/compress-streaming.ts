// Whole-file mode with room on disk: the .gz is streamed to a temporary beside the output while the
// file is read, checked block by block, renamed, and only then is the original removed.
import { CmemError } from '../errors.js';
import type { Plan } from '../plan/plan.js';
import type { FileFacts } from '../probe/file.js';
import type { FileReport } from '../report/file-report.js';
import { bytes, duration, percent, speed } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import type { Progress } from '../report/progress.js';
import { dropBesideNote, withBesideNote } from '../steps/beside-note.js';
import { removeCaughtUp } from '../steps/remove-caught-up.js';
import type { HeaderFields } from '../steps/gzip-format.js';
import { assertReadWhole } from '../steps/open-source.js';
import { CORES } from '../steps/parallel.js';
import { isNoRoom, isQuota, quotaExceeded } from '../fs/no-room.js';
import { streamBeside } from '../steps/stream-beside.js';
import { clearToRemove } from './clear-to-remove.js';
import { critical, removeOnInterrupt } from './signals.js';
import { windowsOf } from '../plan/loss-windows.js';
import { type Step } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { planLines } from '../report/steps-taken.js';
import { reached } from '../steps/reached.js';
import { deflateEach, FINAL_BLOCK } from '../steps/compress.js';
import { gzipHeader } from '../steps/gzip-format.js';
import { readEachBlock } from '../steps/read-blocks.js';

export interface StreamingInput {
  fd: number;
  /** Called once the .gz is in place: FILE is not read again. */
  closeSource: () => void;
  facts: FileFacts;
  plan: Plan;
  header: HeaderFields;
  keep: boolean;
  assumeUnheld: boolean;
  steps: readonly Step[];
}

/** --simulate of the streamed run: the same compression, its bytes counted instead of written. */
export async function countStreamed(fd: number, header: HeaderFields, onBlock: (bytes: number) => void): Promise<{ size: number; compressedSize: number }> {
  let compressedSize = gzipHeader(header).length;
  const { size } = await deflateEach(readEachBlock(fd), { level: header.level, onBlock, onSegment: (segment) => void (compressedSize += segment.length) });
  return { size, compressedSize: compressedSize + FINAL_BLOCK.length + 8 };
}

export async function compressStreaming(input: StreamingInput, progress: Progress, log: Logger): Promise<Partial<FileReport>> {
  const { fd, facts, plan } = input;
  log.info(`strategy: ${log.chalk.bold('beside')}: ${plan.reason}; writing it to a temporary first (mode 0600) while the file is read, each block checked as it is written`);
  // Lines nobody sees (-q, --json) are not made: -r over thousands of small files would make them for each.
  if (log.chatty) planLines(input.steps, windowsOf(input.steps)).forEach((line) => log.info(line));
  const started = performance.now();
  let release: (() => void) | undefined;
  const stream = (onBlock: (bytes: number) => void) =>
    streamBeside({
      fd,
      outputPath: plan.outputPath,
      header: input.header,
      original: facts,
      onBlock,
      onTemp: (temp) => {
        release?.();
        release = temp ? removeOnInterrupt(temp) : undefined;
      },
      assertSource: (bytesRead) => assertReadWhole(fd, facts, bytesRead),
    }).catch((err: unknown) => {
      // The temporary is gone and FILE untouched: the caller can plan again with what is free now.
      if (!isNoRoom(err)) throw err;
      const why = isQuota(err) ? quotaExceeded() : 'no space left on device';
      throw new CmemError('NO_SPACE', `${plan.outputPath}: ${why} while writing the .gz beside it (another process took the room, or the file compresses worse than its sample); ${facts.path} is untouched`);
    });
  const streamed = await progress.track('compressing', facts.size, (onBlock) => (input.keep ? stream(onBlock) : withBesideNote(facts, () => stream(onBlock))));
  const ms = performance.now() - started;
  if (log.chatty) {
    log.info(
      `wrote and verified ${plan.outputPath}: ${bytes(streamed.size)} -> ${bytes(streamed.compressedSize)} (${percent(streamed.compressedSize, streamed.size)}) ` +
        `at level ${input.header.level} on ${CORES} cores in ${duration(ms)} (${speed(streamed.size, ms)})`,
    );
  }
  input.closeSource();
  if (!input.keep) {
    reached(STEP.removeFile);
    // The first look may be a batch old: who holds FILE is asked again now, after the test seam above.
    await clearToRemove(facts, plan.outputPath, input);
    const caught = await critical(() => removeCaughtUp(facts, plan.outputPath, input.header.level));
    dropBesideNote(facts);
    if (caught > 0) log.warn(`${facts.path} grew by ${bytes(caught)} after it was read (a writer appends to it): appended to ${plan.outputPath} as a further gzip member first`);
    log.info(`removed ${facts.path}`);
  }
  return {
    strategy: 'beside',
    reason: plan.reason,
    window: false,
    freedBytes: plan.freed,
    originalBytes: streamed.size,
    compressedBytes: streamed.compressedSize,
    ratio: streamed.compressedSize / Math.max(1, streamed.size),
  };
}
