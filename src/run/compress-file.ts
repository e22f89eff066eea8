// One operand from name to .gz: probe, refuse or read and compress, plan, then execute or simulate.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, CmemWarning, toCmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import { needsBlockMode } from '../plan/block-plan.js';
import { unsafeRefusal, windowsOf } from '../plan/loss-windows.js';
import { gzPlace, ramPlace, stepsJson, streamedSteps, wholeFileSteps, withReserveLoan, type Step } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { plan, planByEstimate, worstCaseCompressed, type Plan } from '../plan/plan.js';
import { outputNameRefusal, refusal, unreadableError } from '../plan/refusals.js';
import { holderCheckGap, holderCheckJson } from '../plan/unseen-holders.js';
import { probeFile, type FileFacts } from '../probe/file.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { quotaNote } from '../probe/quota.js';
import { saysQuota } from '../fs/no-room.js';
import { allocatedBytes, freedBytes } from '../probe/freed-space.js';
import { memoryBudget, type MemoryBudget } from '../probe/memory.js';
import { unwritableFor } from '../probe/writable.js';
import { stashCandidates } from '../probe/stash.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes, duration, percent, speed } from '../text/format.js';
import { gzipVerboseLine } from '../report/gzip-verbose.js';
import type { Logger } from '../report/logger.js';
import { createProgress } from '../report/progress.js';
import { planLines, takeSteps } from '../report/steps-taken.js';
import { readAndCompress } from '../steps/compress.js';
import { estimateCompressed } from '../steps/estimate.js';
import { headerFieldsFor, mtimeOutOfRange, mtimeWarning } from '../steps/header-fields.js';
import { assertReadWhole, openSource } from '../steps/open-source.js';
import { CORES } from '../steps/parallel.js';
import { compressInBlocks } from './compress-blocks.js';
import { compressStreaming, countStreamed } from './compress-streaming.js';
import { ask, consentToWindow } from './consent.js';
import { copyTruncateFile } from './copytruncate-file.js';
import { firstLook, lastCheck } from './holders-gate.js';
import { lookAgain } from './clear-to-remove.js';
import { execute, LeftBehind } from './execute.js';
import { exists, outputPathFor } from './output-path.js';
import { dropStaleCopy, finishedBeside, recover, refuseRewrittenHead } from './recover.js';
import { previewUnfinished } from './preview-unfinished.js';
import { lendFromReserve, loanFor, restoreReserve, withLoan, type Loan } from './reserve-loan.js';
import { fsPath } from '../fs/raw-names.js';

function isReadable(file: string): boolean {
  try {
    fs.accessSync(fsPath(file), fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Clock for the report's timings: each step's milliseconds under its name. */
function stopwatch() {
  const timings: Record<string, number> = {};
  const start = performance.now();
  let last = start;
  return {
    timings,
    lap(name: string): number {
      const now = performance.now();
      timings[name] = Math.round(now - last);
      last = now;
      return timings[name];
    },
    total: () => (timings.total = Math.round(performance.now() - start)),
  };
}

async function confirmExisting(outputPath: string): Promise<boolean> {
  return (await ask(`${outputPath} already exists; overwrite it?`, false)) === 'yes';
}

function logPlan(p: Plan, facts: FileFacts, compressedSize: number, memory: MemoryBudget, steps: readonly Step[], log: Logger, simulate: boolean): void {
  log.info(`strategy: ${log.chalk.bold(p.strategy)}${p.method === 'unlink' ? ' (unlink, then write)' : ''}: ${p.reason}`);
  log.info(`compressed: ${bytes(compressedSize)}, ${percent(compressedSize, facts.size)} of the original`);
  log.info(`memory: needs ${bytes(p.memoryNeeded)}, ${bytes(memory.available)} available (limited by ${memory.limitedBy})`);
  log.info(`space needed on ${p.strategy === 'stash' ? p.stash!.fs.mountPoint : 'the output filesystem'}: ${bytes(p.spaceNeeded)}`);
  log.info(`${simulate ? 'would free' : 'will free'} about ${bytes(p.freed)} on the file's filesystem (measured again at the end)`);
  planLines(steps, windowsOf(steps, ramPlace(p.stash))).forEach((line) => log.info(line));
}

/** --safe's last word on a plan: any window its steps leave, of either kind, is refused before anything is written. */
function refuseUnsafe(steps: readonly Step[], p: Pick<Plan, 'stash'>, opts: Options): void {
  const refused = unsafeRefusal(windowsOf(steps, ramPlace(p.stash)), opts);
  if (refused) throw refused;
}

/** The plan's fields of the report: strategy, windows and steps as --json carries them. */
function planReport(p: Plan, steps: readonly Step[]): Partial<FileReport> {
  return { strategy: p.strategy, reason: p.reason, window: p.window, windows: windowsOf(steps, ramPlace(p.stash)), steps: stepsJson(steps), stash: p.stash?.dir, freedBytes: p.freed };
}

/** The outcome line: sizes, and the free space measured again rather than predicted. */
function logDone(log: Logger, facts: FileFacts, outputPath: string, original: number, compressed: number, freeBefore: number, ms: number, kept: boolean): void {
  const freeNow = probeFilesystem(facts.dir).freeBytes;
  log.success(
    `${facts.path} -> ${outputPath}: ${bytes(original)} -> ${bytes(compressed)} (${percent(compressed, original)}), ` +
      `free space now ${bytes(freeNow)} (was ${bytes(freeBefore)}), in ${duration(ms)}`,
  );
  log.detail(gzipVerboseLine(facts.path, outputPath, original, compressed, kept));
}

/** One operand; then a reserve a killed run left short grows back, unless this run lent from it (it grew it back itself). */
export async function compressFile(file: string, opts: Options, log: Logger): Promise<FileReport> {
  const report = await compressOne(file, opts, log);
  if (!opts.simulate && !report.reserve) restoreReserve(path.dirname(path.resolve(file)), log);
  return report;
}

async function compressOne(file: string, opts: Options, log: Logger): Promise<FileReport> {
  const clock = stopwatch();
  let facts = probeFile(file);
  const report: FileReport = { file: facts.path, status: 'failed', timings: clock.timings };
  const progress = createProgress(opts);
  const simulated = (r: FileReport): FileReport => {
    clock.total();
    log.success(`simulation only: nothing was written, ${facts.path} is untouched`);
    return { ...r, status: 'simulated' };
  };
  try {
    const outputPath = outputPathFor(file, opts);
    report.output = outputPath;
    const badName = outputNameRefusal(outputPath);
    if (badName) throw badName;
    const stashDirs = opts.stash ? [opts.stash] : [];
    const pending = opts.simulate ? previewUnfinished(facts, outputPath, stashDirs, opts.force, log) : undefined;
    if (pending) return simulated({ ...report, ...pending });
    const recovered = opts.simulate ? undefined : await recover(facts, outputPath, stashDirs, opts.force, log);
    if (recovered) {
      clock.total();
      const { output, originalBytes, compressedBytes } = recovered;
      return { ...report, status: 'resumed', output, originalBytes, compressedBytes, ratio: compressedBytes / Math.max(1, originalBytes) };
    }
    if (opts.resume) throw new CmemWarning('NOTHING_TO_RESUME', `nothing to resume for ${facts.path}: no unfinished job of an interrupted run was found`);
    facts = probeFile(file);
    let holders = facts.kind === 'file' ? firstLook(facts) : { checked: true, hidden: 0, holders: [] };
    const gap = holderCheckGap(holders);
    report.holderCheck = holderCheckJson(holders);
    const staleCopyGone = opts.copytruncate && !opts.force && !opts.simulate && (await dropStaleCopy(facts, outputPath, log));
    const outputExists = exists(outputPath) && !staleCopyGone;
    const mayFinish = () => outputExists && !opts.keep && !opts.simulate && !opts.copytruncate && holders.holders.length === 0 && (!gap || opts.assumeUnheld);
    // Finishing removes FILE: who holds it is asked again first, as before any removal.
    if (mayFinish()) holders = await lastCheck(facts);
    const finished = mayFinish() ? await finishedBeside(facts, outputPath, log) : undefined;
    if (finished) {
      clock.total();
      return { ...report, status: 'resumed', ...finished, ratio: finished.compressedBytes / Math.max(1, finished.originalBytes) };
    }
    // Reading the head below would fail first, with a bare EACCES: say why, and what to do.
    if (facts.kind === 'file' && !isReadable(file)) throw unreadableError(facts);
    if (!opts.force) await refuseRewrittenHead(facts, outputPath);
    const unwritable = facts.kind === 'file' ? unwritableFor(facts.path, facts.dir, path.dirname(outputPath), opts.keep) : undefined;
    // A repeated --copytruncate appends to the .gz it finds (or refuses that one), never replaces it.
    const refused = refusal({ file: facts, holders, readable: facts.kind !== 'file' || isReadable(file), outputPath, outputExists: outputExists && !opts.copytruncate, unwritable }, opts);
    const overwriteOk = refused instanceof CmemWarning && refused.code === 'OUTPUT_EXISTS' && (await confirmExisting(outputPath));
    if (refused && !overwriteOk) throw refused;
    if (gap) {
      const then = opts.assumeUnheld ? ' (--assume-unheld: going ahead)' : opts.simulate && !opts.keep && !opts.copytruncate ? '; a real run would refuse to remove or rewrite it (see --assume-unheld)' : '';
      log.warn(`${gap}: whether one of them holds ${facts.path} open is not known${then}`);
    }
    if (opts.copytruncate) {
      const truncated = await copyTruncateFile(facts, holders.holders, outputPath, stashDirs, opts, log, report);
      clock.total();
      return { ...report, ...truncated };
    }
    log.info(`${log.chalk.bold(facts.path)}: ${bytes(facts.size)}, mode ${(facts.mode & 0o7777).toString(8)}, owner ${facts.uid}:${facts.gid}, ${gap ? 'not known whether another process holds it open' : 'no other process holds it open'}`);

    // What is freed is measured in blocks at the end: the plan's figure is an estimate, rounded up by a worst case.
    const allocatedBefore = allocatedBytes(facts.path);
    const measured = () => ({ freedBytes: freedBytes(facts, allocatedBefore, outputPath) });
    let fileFs = probeFilesystem(facts.dir);
    let outputFs = probeFilesystem(path.dirname(outputPath));
    const freeBefore = fileFs.freeBytes;
    log.info(`filesystem ${fileFs.mountPoint} (${fileFs.type}): ${bytes(fileFs.freeBytes)} free${quotaNote(fileFs.quota)} of ${bytes(fileFs.totalBytes)}, ${fileFs.freeInodes} inodes free`);
    const budget = memoryBudget();
    const memory = budget.available;
    report.memory = { availableBytes: memory, limitedBy: budget.limitedBy };
    const fd = openSource(facts);
    // Closed as soon as FILE is read (a file waiting at the holder check holds no descriptor), and before a
    // loan from the reserve is grown back (FILE's blocks are freed only once no descriptor holds it).
    let open = true;
    const closeSource = () => open && ((open = false), fs.closeSync(fd));
    let source, compressed;
    try {
      const header = headerFieldsFor(facts, opts);
      if (mtimeOutOfRange(facts, opts)) report.warning = mtimeWarning(facts.path);
      const byEstimate = (compressedSize: number, margin?: number) =>
        opts.memory !== undefined
          ? undefined
          : planByEstimate({ file: facts, fs: fileFs, outputPath, outputFs, stashes: [], compressedSize, memoryAvailable: memory }, opts, margin);
      // With room for even the worst case, no sample is needed to know the .gz fits beside.
      let early = byEstimate(worstCaseCompressed(facts.size), 1);
      let estimate = early?.strategy === 'beside' ? 0 : estimateCompressed(fd, facts.size, opts.level);
      if (early?.strategy !== 'beside') early = byEstimate(estimate);
      // No room beside, but a reserve on this filesystem: it lends just the room the .gz needs, so no stash and no window.
      let loan: Loan | undefined;
      if (early?.strategy !== 'beside' && !opts.keep && opts.memory === undefined && outputFs.dev === fileFs.dev) loan = loanFor(fileFs, estimate);
      if (loan) {
        const lent = loan;
        const lentFs = withLoan(fileFs, lent);
        const besideByLoan = planByEstimate({ file: facts, fs: lentFs, outputPath, outputFs: lentFs, stashes: [], compressedSize: estimate, memoryAvailable: memory }, opts);
        if (besideByLoan?.strategy === 'beside') {
          [early, fileFs, outputFs] = [besideByLoan, lentFs, lentFs];
          log.info(`the reserve ${lent.record.path} lends ${bytes(lent.bytes)} for the .gz beside; it grows back after, from the space freed`);
        } else loan = undefined;
      }
      const loanSteps = (steps: Step[]) => (loan ? withReserveLoan(steps, loan.bytes) : steps);
      clock.lap('probe');
      if (early?.strategy === 'beside' && opts.simulate) {
        // The streamed run, counted instead of written: its figures exact, its memory one block.
        const counted = await progress.track('compressing', facts.size, (advance) => countStreamed(fd, header, advance));
        clock.lap('compress');
        const exact = planByEstimate({ file: facts, fs: fileFs, outputPath, outputFs, stashes: [], compressedSize: counted.compressedSize, memoryAvailable: memory }, opts, 1);
        if (exact?.strategy === 'beside') {
          const steps = loanSteps(streamedSteps({ ...counted, keep: opts.keep, gz: gzPlace(fileFs, outputFs) }));
          logPlan(exact, facts, counted.compressedSize, budget, steps, log, true);
          refuseUnsafe(steps, exact, opts);
          return simulated({ ...report, ...planReport(exact, steps), originalBytes: counted.size, compressedBytes: counted.compressedSize, ratio: counted.compressedSize / Math.max(1, counted.size) });
        }
        // The sample promised less than the file gives: a real run starts beside, runs out of room and plans again.
        log.warn(`the .gz would be ${bytes(counted.compressedSize)}, more than the sample promised: a real run would start writing it beside, run out of room, and plan again as follows`);
        estimate = estimateCompressed(fd, facts.size, opts.level);
      }
      if (early?.strategy === 'beside' && !opts.simulate) {
        try {
          const steps = loanSteps(streamedSteps({ size: facts.size, compressedSize: estimate || worstCaseCompressed(facts.size), keep: opts.keep, gz: gzPlace(fileFs, outputFs) }));
          refuseUnsafe(steps, early, opts);
          report.windows = windowsOf(steps);
          const stream = () => compressStreaming({ fd, closeSource, facts, plan: early!, header, keep: opts.keep, assumeUnheld: opts.assumeUnheld, steps }, progress, log);
          const streamed = await takeSteps(steps, log, [], report, () => (loan ? lendFromReserve(loan, facts.dir, report, log, stream, closeSource) : stream()));
          clock.lap('compress');
          logDone(log, facts, outputPath, streamed.originalBytes!, streamed.compressedBytes!, freeBefore, clock.total(), opts.keep);
          return { ...report, ...streamed, status: 'compressed', ...measured() };
        } catch (err) {
          // Another process took the room the plan counted on: what is free now decides (stash, in place, blocks).
          if (!(err instanceof CmemError && err.code === 'NO_SPACE')) throw err;
          log.warn(`${err.message}; planning again with what is free now`);
          fileFs = probeFilesystem(facts.dir);
          outputFs = probeFilesystem(path.dirname(outputPath));
          // A quota this probe cannot read (ext4, xfs, a nested subvolume's or a parent qgroup) leaves the disk looking roomy.
          if (saysQuota(err.message) && !outputFs.quota) {
            log.warn(`the quota cannot be read here: planning as if nothing were free on ${outputFs.mountPoint} for this user`);
            outputFs = { ...outputFs, freeBytes: 0 };
            if (outputFs.dev === fileFs.dev) fileFs = { ...fileFs, freeBytes: 0 };
          }
          estimate = estimateCompressed(fd, facts.size, opts.level);
        }
      }
      // Every strategy from here on removes or rewrites FILE (or, with -k, leaves it): the first look may be a batch old.
      if (!opts.simulate && !opts.keep) await lookAgain(facts, opts);
      if (needsBlockMode(facts.size, estimate, memory, opts)) {
        const blocks = await compressInBlocks({ facts, fileFs, outputFs, outputPath, estimate, memory: budget, stashDirs, trace: report }, opts, log);
        clock.total();
        return { ...report, ...blocks, ...(blocks.status === 'compressed' ? measured() : {}) };
      }
      ({ source, compressed } = await progress.track('compressing', facts.size, (advance) => readAndCompress(fd, {}, header, advance)));
      assertReadWhole(fd, facts, source.size);
    } finally {
      closeSource();
    }
    const compressMs = clock.lap('compress');
    log.info(
      `read ${bytes(source.size)} as ${source.blocks.length} blocks in ${duration(compressMs)}, compressed to ${bytes(compressed.size)} (${percent(compressed.size, source.size)}) ` +
        `at level ${opts.level} on ${CORES} cores at the same time (${speed(source.size, compressMs)})`,
    );
    Object.assign(report, { originalBytes: source.size, compressedBytes: compressed.size, ratio: compressed.size / Math.max(1, source.size) });

    const stashes = stashCandidates(facts.dev, stashDirs, opts.noStash, (why) => log.warn(why));
    const thePlan = plan({ file: facts, fs: fileFs, outputPath, outputFs, stashes, compressedSize: compressed.size, memoryAvailable: memory }, opts);
    const steps = wholeFileSteps(thePlan, { size: source.size, compressedSize: compressed.size, keep: opts.keep, gz: gzPlace(fileFs, outputFs) });
    Object.assign(report, planReport(thePlan, steps));
    logPlan(thePlan, facts, compressed.size, budget, steps, log, opts.simulate);
    refuseUnsafe(steps, thePlan, opts);
    if (opts.simulate) return simulated(report);
    if (thePlan.window)
      await consentToWindow(
        'strategy in-place: for the seconds of the rewrite the only complete copy is in memory; a kill -9 or a power cut then loses the file ' +
          '(SIGINT, SIGTERM, SIGQUIT are held back, SIGHUP is ignored). --stash DIR on another filesystem avoids this',
        opts.yes,
        log,
      );
    const written = await takeSteps(steps, log, [{ name: STEP.read, ms: compressMs }], report, () => execute({ facts, level: opts.level, source, compressed, plan: thePlan, keep: opts.keep, log }));
    clock.lap('write');
    logDone(log, facts, written, source.size, compressed.size, freeBefore, clock.total(), opts.keep);
    return { ...report, output: written, status: 'compressed', ...measured() };
  } catch (err) {
    clock.total();
    const e = err instanceof CmemWarning ? err : toCmemError(err, facts.path);
    const failed = { ...report, ...failedReport(facts.path, e, clock.timings) };
    if (err instanceof LeftBehind) failed.leftovers = err.leftovers;
    return failed;
  }
}
