// Whole-file mode with room on disk: the streamed beside list run on the executor, with FILE open, the
// progress line, a last holder check before FILE goes, and a loan from the reserve when one makes the room.
import { CmemError, toCmemError } from '../errors.js';
import { isNoRoom, isQuota, quotaExceeded } from '../fs/no-room.js';
import type { Options } from '../plan/options.js';
import type { Plan } from '../plan/plan.js';
import type { FileFacts } from '../probe/file.js';
import type { FileReport } from '../report/file-report.js';
import type { Logger } from '../report/logger.js';
import type { Progress } from '../report/progress.js';
import { FINAL_BLOCK, deflateEach } from '../steps/compress.js';
import { gzipHeader, type HeaderFields } from '../steps/gzip-format.js';
import { CORES } from '../steps/parallel.js';
import { readEachBlock } from '../steps/read-blocks.js';
import type { Listed } from '../strategies/action.js';
import type { StreamedJob } from '../strategies/streamed-beside.js';
import type { Lent } from '../strategies/reserve-loan.js';
import { bytes, duration, percent, speed } from '../text/format.js';
import { windowsOf } from '../plan/loss-windows.js';
import { planLines } from '../report/steps-taken.js';
import { clearToRemove } from './clear-to-remove.js';
import { execute } from './executor.js';
import { lending, type Loan } from './reserve-loan.js';

export interface StreamingInput {
  fd: number;
  /** Closes FILE's descriptor: once the .gz is in place FILE is not read again. */
  closeSource: () => void;
  facts: FileFacts;
  plan: Plan;
  header: HeaderFields;
  opts: Pick<Options, 'assumeUnheld'>;
  steps: readonly Listed<StreamedJob & Lent>[];
  loan?: Loan;
}

/** --simulate of the streamed run: the same compression, its bytes counted instead of written. */
export async function countStreamed(fd: number, header: HeaderFields, onBlock: (bytes: number) => void): Promise<{ size: number; compressedSize: number }> {
  let compressedSize = gzipHeader(header).length;
  const { size } = await deflateEach(readEachBlock(fd), { level: header.level, onBlock, onSegment: (segment) => void (compressedSize += segment.length) });
  return { size, compressedSize: compressedSize + FINAL_BLOCK.length + 8 };
}

/** The .gz is whole under its name once the temporary is renamed: FILE is no longer read, and nothing before is undone. */
const landed = (c: StreamedJob) => c.streamed !== undefined && c.temp === undefined;

/**
 * Another process took the room the plan counted on: the temporary is gone and FILE untouched, so the caller can plan again.
 * Not once the .gz landed (no room for the members of what a writer appended meanwhile): FILE is closed then, and both stay.
 */
function noRoom(err: unknown, input: StreamingInput, c: StreamedJob): unknown {
  if (landed(c)) {
    const cause = toCmemError(err, input.facts.path);
    if (cause.code !== 'NO_SPACE') return err;
    return new CmemError('IO', `${cause.message}; ${input.plan.outputPath} holds the ${bytes(input.facts.size)} that were read, and ${input.facts.path} is left as it is`, 'free some space, then run cmemgzip again');
  }
  if (!isNoRoom(err)) return err;
  const why = isQuota(err) ? quotaExceeded() : 'no space left on device';
  return new CmemError('NO_SPACE', `${input.plan.outputPath}: ${why} while writing the .gz beside it (another process took the room, or the file compresses worse than its sample); ${input.facts.path} is untouched`);
}

export async function compressStreaming(input: StreamingInput, into: FileReport, progress: Progress, log: Logger): Promise<Partial<FileReport>> {
  const { fd, facts, plan } = input;
  log.info(`strategy: ${log.chalk.bold('beside')}: ${plan.reason}; writing it to a temporary first (mode 0600) while the file is read, each block checked as it is written`);
  // Lines nobody sees (-q, --json) are not made: -r over thousands of small files would make them for each.
  if (log.chatty) planLines(input.steps, windowsOf(input.steps)).forEach((line) => log.info(line));
  const started = performance.now();
  const ctx: StreamedJob & Lent = {
    fd,
    facts,
    outputPath: plan.outputPath,
    header: input.header,
    say: log,
    closeSource: input.closeSource,
    // The first look may be a batch old: who holds FILE is asked again right before it goes.
    clearToRemove: () => clearToRemove(facts, plan.outputPath, input.opts),
    loan: input.loan && lending(input.loan, facts.dir, into, log),
  };
  await progress.track('compressing', facts.size, (onBlock) => {
    ctx.onBlock = onBlock;
    return execute({ steps: input.steps, ctx, log, into }).catch((err: unknown) => {
      // The loan is room, not bytes: a failure after the rename (a holder at the last look takes the .gz back)
      // ends no undo, yet the room is free again; the reserve grows back now, as before a commit (once only).
      ctx.loan?.growBack();
      return Promise.reject(noRoom(err, input, ctx));
    });
  });
  const streamed = ctx.streamed!;
  const ms = performance.now() - started;
  if (log.chatty)
    log.info(
    `wrote and verified ${plan.outputPath}: ${bytes(streamed.size)} -> ${bytes(streamed.compressedSize)} (${percent(streamed.compressedSize, streamed.size)}) ` +
      `at level ${input.header.level} on ${CORES} cores in ${duration(ms)} (${speed(streamed.size, ms)})`,
  );
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
