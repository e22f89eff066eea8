// Runs a whole-file plan's list (FILE read and compressed in memory) on the executor: the job's context
// built, the in-place window told, and a safety copy a failure leaves behind named with its command.
import { CmemError, toCmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import type { Plan } from '../plan/plan.js';
import type { Logger } from '../report/logger.js';
import type { StepJson } from '../report/steps-taken.js';
import type { Compressed } from '../steps/compress.js';
import type { SourceData } from '../steps/read-blocks.js';
import { newStashManifest, stashPaths } from '../steps/stash.js';
import { STEP } from '../steps/step-names.js';
import type { Listed } from '../strategies/action.js';
import { newWholeJob, type WholeJob } from '../strategies/whole-job.js';
import { fsTypeOf } from '../probe/identity.js';
import { shellQuote } from '../text/shell-quote.js';
import { execute } from './executor.js';

export interface Job {
  facts: FileFacts;
  /** Compression level, for the members that catch up with bytes appended meanwhile. */
  level: number;
  source: SourceData;
  compressed: Compressed;
  plan: Plan;
  log: Logger;
  steps: readonly Listed<WholeJob>[];
  /** How long reading and compressing took: the list's first step, done before the plan. */
  readMs: number;
  into: { steps?: StepJson[] };
}

/** A failure that leaves a stash behind: names it and the command that finishes the job. */
export class LeftBehind extends CmemError {
  constructor(cause: CmemError, readonly leftovers: { path: string; command: string; ram?: boolean }[]) {
    super(cause.code, cause.message, cause.hint);
  }
}

/** The safety copy, named with the command that finishes the job from it. */
function stashLeft(cause: unknown, c: WholeJob, plan: Plan): LeftBehind {
  const stash = plan.stash!;
  // A stash outside the default places is only found again when named.
  const resume = `cmemgzip --resume${stash.explicit ? ` --stash ${shellQuote(stash.dir)}` : ''} ${shellQuote(c.facts.path)}`;
  const ram = stash.fs.ramBacked;
  const { data, manifest } = c.stash!.paths;
  return new LeftBehind(toCmemError(cause, c.facts.path), [
    { path: data, command: resume, ram },
    { path: manifest, command: resume, ram },
  ]);
}

/** Runs the plan's list; the .gz's name at the end (FILE's new one's, if logrotate renamed it meanwhile). */
export async function executeWhole(job: Job): Promise<string> {
  const { facts, plan, log } = job;
  const stash = plan.strategy === 'stash' ? { paths: stashPaths(plan.stash!.dir, facts), manifest: newStashManifest(facts, { fsType: fsTypeOf(facts.dir), name: facts.path }, job.source, job.compressed.size) } : undefined;
  const ctx = newWholeJob({ facts, level: job.level, source: job.source, compressed: job.compressed, plan, say: log, stash });
  if (plan.strategy === 'beside') log.info(`writing ${plan.outputPath} (temporary first, mode 0600, fsync)`);
  if (plan.strategy === 'in-place') log.warn('entering the in-place window: until it closes the only full copy of the data is in memory; signals are held');
  await execute({
    steps: job.steps,
    ctx,
    log,
    done: [{ name: STEP.read, ms: job.readMs }],
    into: job.into,
    leftBehind: stash ? (cause) => stashLeft(cause, ctx, plan) : undefined,
  });
  if (plan.strategy === 'in-place') log.info('in-place window closed');
  return ctx.output;
}
