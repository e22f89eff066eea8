// Block mode for one operand: plan the blocks, show them (--simulate), ask about a window, run.
import { toCmemError, type CmemError } from '../errors.js';
import { planBlocks, type BlockPlan } from '../plan/block-plan.js';
import { unsafeRefusal, windowsOf } from '../plan/loss-windows.js';
import { gzPlace, ramPlace, stepsJson, type Step } from '../plan/steps.js';
import { planLines, type StepJson } from '../report/steps-taken.js';
import { blockSteps } from '../strategies/blocks.js';
import type { Options } from '../plan/options.js';
import type { FileFacts } from '../probe/file.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { MemoryBudget } from '../probe/memory.js';
import { stashCandidates } from '../probe/stash.js';
import type { FileReport } from '../report/file-report.js';
import { bytes, percent } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { closeJournal } from '../steps/journal.js';
import { CORES } from '../steps/parallel.js';
import { startBlocks } from './block-mode.js';
import { findJournal } from './find-journal.js';
import { LeftBehind } from './execute.js';
import { shellQuote } from '../text/shell-quote.js';
import { consentToWindow } from './consent.js';

export interface BlockInput {
  facts: FileFacts;
  fileFs: FsFacts;
  outputFs: FsFacts;
  outputPath: string;
  estimate: number;
  memory: MemoryBudget;
  stashDirs: string[];
  /** Where the steps taken go, however the run ends: the operand's report. */
  trace: { steps?: StepJson[] };
}

function logBlockPlan(p: BlockPlan, input: BlockInput, steps: readonly Step[], log: Logger, simulate: boolean): void {
  log.info(`strategy: ${log.chalk.bold('blocks')}: ${p.reason}`);
  log.info(`${p.blocks} block(s) of ${bytes(p.blockSize)}, tail first; peak memory about ${bytes(p.memoryNeeded)} (${bytes(input.memory.available)} available, limited by ${input.memory.limitedBy})`);
  log.info(`estimated .gz from a sample: ${bytes(p.estimatedCompressed)} (${percent(p.estimatedCompressed, input.facts.size)})`);
  const first = { beside: `beside the file (${bytes(p.spaceNeeded)} free needed at the start)`, stash: `in the stash ${p.stash?.dir} (the disk is full)`, window: 'nowhere but memory (one-block window)' };
  log.info(`first part: ${first[p.firstPart]}; ${simulate ? 'would free' : 'will free'} about ${bytes(p.freed)}`);
  planLines(steps, windowsOf(steps, ramPlace(p.stash))).forEach((line) => log.info(line));
}

export async function compressInBlocks(input: BlockInput, opts: Options, log: Logger): Promise<Partial<FileReport>> {
  const { facts, outputPath } = input;
  const stashes = stashCandidates(facts.dev, input.stashDirs, opts.noStash, (why) => log.warn(why));
  const p = planBlocks({ file: facts, fs: input.fileFs, stashes, estimatedCompressed: input.estimate, memoryAvailable: input.memory.available, cores: CORES }, opts);
  const steps = blockSteps(p, facts.size, gzPlace(input.fileFs, input.outputFs));
  logBlockPlan(p, input, steps, log, opts.simulate);
  const report: Partial<FileReport> = { strategy: 'blocks', reason: p.reason, window: p.window, windows: windowsOf(steps, ramPlace(p.stash)), steps: stepsJson(steps), stash: p.stash?.dir, freedBytes: p.freed, originalBytes: facts.size, compressedBytes: p.estimatedCompressed };
  const refused = unsafeRefusal(report.windows!, opts);
  if (refused) throw refused;
  if (opts.simulate) return { ...report, status: 'simulated' };
  if (p.window)
    await consentToWindow(
      'one-block window: at 0 bytes free with no stash, the last block is cut off the file before its part is on disk; a kill -9 then loses that block (signals are held)',
      opts.yes,
      log,
    );
  const { manifest: m, output } = await startBlocks({ facts, plan: p, outputPath, level: opts.level, storeName: opts.name !== false, log }, steps, input.trace).catch((err: unknown) => {
    throw leftBehindBy(err, facts, outputPath, p, log);
  });
  log.success(`${facts.path} -> ${output}: ${bytes(m.size)} -> ${bytes(m.assembledBytes)} (${percent(m.assembledBytes, m.size)}) in ${p.blocks} block(s), each verified`);
  return { ...report, output, steps: input.trace.steps, status: 'compressed', originalBytes: m.size, compressedBytes: m.assembledBytes, ratio: m.assembledBytes / Math.max(1, m.size) };
}

/** A failed block-mode run leaves its journal on purpose: name it, and the command that finishes the job. */
function leftBehindBy(err: unknown, facts: FileFacts, outputPath: string, p: BlockPlan, log: Logger): CmemError {
  const cause = toCmemError(err, facts.path);
  const found = findJournal(facts, outputPath, p.stash ? [p.stash.dir] : [], log);
  if (!found) return cause;
  closeJournal(found.journal);
  return new LeftBehind(cause, [{ path: found.journal.folder, command: `cmemgzip --resume ${shellQuote(facts.path)}` }]);
}
