// The .gz beside FILE, written while FILE is read (or, under --simulate, counted): tried first whenever
// the mode's choice allows it. When the .gz turns out not to fit, the choice is made again without it.
import path from 'node:path';
import { CmemError } from '../errors.js';
import { saysQuota } from '../fs/no-room.js';
import { chooseMode, type Mode } from '../plan/choose-mode.js';
import { windowsOf } from '../plan/loss-windows.js';
import { withLoan } from '../plan/loan.js';
import { worstCaseCompressed, type Plan } from '../plan/plan.js';
import { gzPlace } from '../plan/steps.js';
import { streamedSteps } from '../strategies/streamed-beside.js';
import { loanSteps } from '../strategies/reserve-loan.js';
import type { FileFacts } from '../probe/file.js';
import { probeFilesystem } from '../probe/filesystem.js';
import type { FileReport } from '../report/file-report.js';
import { estimateCompressed } from '../steps/estimate.js';
import { bytes } from '../text/format.js';
import { compressStreaming, countStreamed } from './compress-streaming.js';
import { logDone, logPlan, modeFacts, planReport, refuseUnsafe, simulated, type Job, type Source, type Space } from './file-job.js';
import { reserveThere, type Loan } from './reserve-loan.js';

/** One try beside: the job, FILE, the space it plans with, and the loan from the reserve that makes room, if any. */
interface Try {
  job: Job;
  facts: FileFacts;
  space: Space;
  src: Source;
  plan: Plan;
  loan?: Loan;
  measured: () => Partial<FileReport>;
}

/** Done beside (or simulated), or the mode to take instead with the .gz's estimated size. */
export type Beside = FileReport | { estimate: number; mode: Mode };

export async function besideFirst(first: Mode, facts: FileFacts, space: Space, src: Source, job: Job, measured: () => Partial<FileReport>): Promise<Beside> {
  const { opts, log, clock } = job;
  let mode = first;
  let estimate = 0;
  let reserve: ReturnType<typeof reserveThere> = { loanable: 0 };
  if (mode.kind === 'sample') {
    estimate = estimateCompressed(src.fd, facts.size, opts.level);
    reserve = reserveThere(space.fileFs.dev);
    mode = chooseMode(modeFacts(facts, space, job.outputPath, { bytes: estimate, known: 'estimate' }, { loanable: reserve.loanable }), opts);
  }
  const loan = mode.kind === 'streamed-beside' && mode.loan > 0 ? { record: reserve.record!, bytes: mode.loan } : undefined;
  if (loan) {
    space.fileFs = space.outputFs = withLoan(space.fileFs, loan.bytes);
    log.info(`the reserve ${loan.record.path} lends ${bytes(loan.bytes)} for the .gz beside; it grows back after, from the space freed`);
  }
  clock.lap('probe');
  if (mode.kind !== 'streamed-beside') return { estimate, mode };
  const t: Try = { job, facts, space, src, plan: mode.plan, loan, measured };
  const done = opts.simulate ? await countBeside(t) : await streamBeside(t, estimate);
  if (typeof done !== 'number') return done;
  const instead = chooseMode(modeFacts(facts, space, job.outputPath, { bytes: done, known: 'estimate' }, { besideRuledOut: true }), opts);
  return { estimate: done, mode: instead };
}

/** --simulate: the streamed run, counted instead of written (its figures exact, its memory one block); or, when it would not fit, a new estimate. */
async function countBeside({ job, facts, space, src, loan }: Try): Promise<FileReport | number> {
  const { opts, log, report } = job;
  const counted = await job.progress.track('compressing', facts.size, (advance) => countStreamed(src.fd, src.header, advance));
  job.clock.lap('compress');
  const exact = chooseMode(modeFacts(facts, space, job.outputPath, { bytes: counted.compressedSize, known: 'counted' }), opts);
  if (exact.kind === 'streamed-beside') {
    const steps = loanSteps(streamedSteps({ ...counted, keep: opts.keep, gz: gzPlace(space.fileFs, space.outputFs) }), loan?.bytes);
    logPlan(exact.plan, facts, counted.compressedSize, space.budget, steps, log, true);
    refuseUnsafe(steps, exact.plan, opts);
    return simulated(job, facts, { ...report, ...planReport(exact.plan, steps), originalBytes: counted.size, compressedBytes: counted.compressedSize, ratio: counted.compressedSize / Math.max(1, counted.size) });
  }
  // The sample promised less than the file gives: a real run starts beside, runs out of room and plans again.
  log.warn(`the .gz would be ${bytes(counted.compressedSize)}, more than the sample promised: a real run would start writing it beside, run out of room, and plan again as follows`);
  return estimateCompressed(src.fd, facts.size, opts.level);
}

/** Streams the .gz beside FILE; when another process took the room meanwhile, a new estimate of it, with the space seen now. */
async function streamBeside({ job, facts, space, src, plan, loan, measured }: Try, estimate: number): Promise<FileReport | number> {
  const { opts, log, report } = job;
  try {
    const steps = loanSteps(streamedSteps({ size: facts.size, compressedSize: estimate || worstCaseCompressed(facts.size), keep: opts.keep, gz: gzPlace(space.fileFs, space.outputFs) }), loan?.bytes);
    refuseUnsafe(steps, plan, opts);
    report.windows = windowsOf(steps);
    const streamed = await compressStreaming({ fd: src.fd, closeSource: src.close, facts, plan, header: src.header, opts, steps, loan }, report, job.progress, log);
    job.clock.lap('compress');
    logDone(log, facts, job.outputPath, streamed.originalBytes!, streamed.compressedBytes!, space.freeBefore, job.clock.total(), opts.keep);
    return { ...report, ...streamed, status: 'compressed', ...measured() };
  } catch (err) {
    // Another process took the room the plan counted on: what is free now decides (stash, in place, blocks).
    if (!(err instanceof CmemError && err.code === 'NO_SPACE')) throw err;
    log.warn(`${err.message}; planning again with what is free now`);
    space.fileFs = probeFilesystem(facts.dir);
    space.outputFs = probeFilesystem(path.dirname(job.outputPath));
    // A quota this probe cannot read (ext4, xfs, a nested subvolume's or a parent qgroup) leaves the disk looking roomy.
    if (saysQuota(err.message) && !space.outputFs.quota) {
      log.warn(`the quota cannot be read here: planning as if nothing were free on ${space.outputFs.mountPoint} for this user`);
      space.outputFs = { ...space.outputFs, freeBytes: 0 };
      if (space.outputFs.dev === space.fileFs.dev) space.fileFs = { ...space.fileFs, freeBytes: 0 };
    }
    return estimateCompressed(src.fd, facts.size, opts.level);
  }
}
