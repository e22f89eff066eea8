// One operand from name to .gz: probe, plan (chooseMode), then print or execute, then report.
import fs from 'node:fs';
import path from 'node:path';
import { CmemWarning, toCmemError } from '../errors.js';
import { fsPath } from '../fs/raw-names.js';
import { chooseMode } from '../plan/choose-mode.js';
import type { Options } from '../plan/options.js';
import { worstCaseCompressed } from '../plan/plan.js';
import { outputNameRefusal, refusal, unreadableError } from '../plan/refusals.js';
import { gzPlace } from '../plan/steps.js';
import { wholeFileSteps } from '../strategies/whole-file.js';
import { holderCheckGap, holderCheckJson } from '../plan/unseen-holders.js';
import { probeFile, type FileFacts } from '../probe/file.js';
import { allocatedBytes, freedBytes } from '../probe/freed-space.js';
import type { HolderScan } from '../probe/holder.js';
import { quotaNote } from '../probe/quota.js';
import { stashCandidates } from '../probe/stash.js';
import { unwritableFor } from '../probe/writable.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import type { Logger } from '../report/logger.js';
import { createProgress } from '../report/progress.js';
import { readAndCompress } from '../steps/compress.js';
import { headerFieldsFor, mtimeOutOfRange, mtimeWarning } from '../steps/header-fields.js';
import { assertReadWhole, openSource } from '../steps/open-source.js';
import { CORES } from '../steps/parallel.js';
import { bytes, duration, percent, speed } from '../text/format.js';
import { besideFirst } from './beside-first.js';
import { lookAgain } from './clear-to-remove.js';
import { compressInBlocks } from './compress-blocks.js';
import { ask, consentToWindow } from './consent.js';
import { copyTruncateFile } from './copytruncate-file.js';
import { executeWhole, LeftBehind } from './execute.js';
import { logDone, logPlan, modeFacts, planReport, probeSpace, refuseUnsafe, simulated, stopwatch, type Job, type Space } from './file-job.js';
import { firstLook, lastCheck } from './holders-gate.js';
import { exists, outputPathFor } from './output-path.js';
import { besideFinishPreview, previewUnfinished } from './preview-unfinished.js';
import { dropStaleCopy, finishedBeside, recover, refuseRewrittenHead } from './recover.js';
import { restoreReserve } from './reserve-loan.js';

function isReadable(file: string): boolean {
  try {
    fs.accessSync(fsPath(file), fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

async function confirmExisting(outputPath: string): Promise<boolean> {
  return (await ask(`${outputPath} already exists; overwrite it?`, false)) === 'yes';
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
  try {
    const outputPath = outputPathFor(file, opts);
    report.output = outputPath;
    const job: Job = { file, opts, log, report, clock, progress, outputPath, stashDirs: opts.stash ? [opts.stash] : [] };
    const earlier = await earlierJob(facts, job);
    if (earlier) return earlier;
    facts = probeFile(file);
    const admitted = await admit(facts, job);
    return 'done' in admitted ? admitted.done : await compressAdmitted(admitted, job);
  } catch (err) {
    clock.total();
    const e = err instanceof CmemWarning ? err : toCmemError(err, facts.path);
    const failed = { ...report, ...failedReport(facts.path, e, clock.timings) };
    if (err instanceof LeftBehind) failed.leftovers = err.leftovers;
    return failed;
  }
}

/** A job a killed run left on FILE: --simulate shows it, a run finishes it; undefined when there is none. */
async function earlierJob(facts: FileFacts, job: Job): Promise<FileReport | undefined> {
  const { opts, log, report, outputPath, stashDirs } = job;
  const badName = outputNameRefusal(outputPath);
  if (badName) throw badName;
  const pending = opts.simulate ? previewUnfinished(facts, outputPath, stashDirs, opts.force, log) : undefined;
  if (pending) return simulated(job, facts, { ...report, ...pending });
  const recovered = opts.simulate ? undefined : await recover(facts, outputPath, stashDirs, opts.force, log);
  if (recovered) {
    job.clock.total();
    const { output, originalBytes, compressedBytes, steps } = recovered;
    return { ...report, status: 'resumed', output, originalBytes, compressedBytes, ratio: compressedBytes / Math.max(1, originalBytes), steps };
  }
  if (opts.resume) throw new CmemWarning('NOTHING_TO_RESUME', `nothing to resume for ${facts.path}: no unfinished job of an interrupted run was found`);
  return undefined;
}

interface Admitted {
  facts: FileFacts;
  holders: HolderScan;
  /** Why some processes could not be inspected for holders of FILE, when some could not. */
  gap?: string;
  /** The .gz was a killed --copytruncate's copy of what FILE still holds: gone (or, simulated, as good as gone). */
  staleCopyGone: boolean;
}

/** Who holds FILE, a .gz a killed run finished beside it, and the refusals: FILE goes on, is done, or is refused (thrown). */
async function admit(facts: FileFacts, job: Job): Promise<{ done: FileReport } | Admitted> {
  const { opts, log, report, outputPath } = job;
  let holders: HolderScan = facts.kind === 'file' ? firstLook(facts) : { checked: true, hidden: 0, holders: [] };
  const gap = holderCheckGap(holders);
  report.holderCheck = holderCheckJson(holders);
  // --simulate looks as a real run would, and says what it would do instead of doing it.
  const staleCopyGone = opts.copytruncate && !opts.force && (await dropStaleCopy(facts, outputPath, log, opts.simulate));
  const outputExists = exists(outputPath) && !staleCopyGone;
  const mayFinish = () => outputExists && !opts.keep && !opts.copytruncate && holders.holders.length === 0 && (!gap || opts.assumeUnheld);
  // Finishing removes FILE: who holds it is asked again first, as before any removal.
  if (mayFinish() && !opts.simulate) holders = await lastCheck(facts);
  const finished = mayFinish() ? await finishedBeside(facts, outputPath, log, opts.simulate) : undefined;
  if (finished && opts.simulate) return { done: simulated(job, facts, { ...report, ...besideFinishPreview(outputPath, log) }) };
  if (finished) {
    job.clock.total();
    return { done: { ...report, status: 'resumed', ...finished, ratio: finished.compressedBytes / Math.max(1, finished.originalBytes) } };
  }
  // Reading the head below would fail first, with a bare EACCES: say why, and what to do.
  if (facts.kind === 'file' && !isReadable(job.file)) throw unreadableError(facts);
  if (!opts.force) await refuseRewrittenHead(facts, outputPath);
  const unwritable = facts.kind === 'file' ? unwritableFor(facts.path, facts.dir, path.dirname(outputPath), opts.keep) : undefined;
  // A repeated --copytruncate appends to the .gz it finds (or refuses that one), never replaces it.
  // Readable: a FILE that is not was refused above, and asking the kernel again costs a call per file.
  const refused = refusal({ file: facts, holders, readable: true, outputPath, outputExists: outputExists && !opts.copytruncate, unwritable }, opts);
  const overwriteOk = refused instanceof CmemWarning && refused.code === 'OUTPUT_EXISTS' && (await confirmExisting(outputPath));
  if (refused && !overwriteOk) throw refused;
  if (gap) {
    const then = opts.assumeUnheld ? ' (--assume-unheld: going ahead)' : opts.simulate && !opts.keep && !opts.copytruncate ? '; a real run would refuse to remove or rewrite it (see --assume-unheld)' : '';
    log.warn(`${gap}: whether one of them holds ${facts.path} open is not known${then}`);
  }
  return { facts, holders, gap, staleCopyGone };
}

/** FILE, admitted: the space and memory probed, the mode chosen, then beside first, in blocks, or whole in memory. */
async function compressAdmitted({ facts, holders, gap, staleCopyGone }: Admitted, job: Job): Promise<FileReport> {
  const { opts, log, report, outputPath } = job;
  const space = probeSpace(facts, outputPath);
  const first = chooseMode(modeFacts(facts, space, outputPath, { bytes: worstCaseCompressed(facts.size), known: 'worst-case' }), opts);
  if (first.kind === 'copytruncate') {
    const truncated = await copyTruncateFile(facts, holders.holders, outputPath, job.stashDirs, opts, log, report, staleCopyGone);
    job.clock.total();
    return { ...report, ...truncated };
  }
  log.info(`${log.chalk.bold(facts.path)}: ${bytes(facts.size)}, mode ${(facts.mode & 0o7777).toString(8)}, owner ${facts.uid}:${facts.gid}, ${gap ? 'not known whether another process holds it open' : 'no other process holds it open'}`);
  // What is freed is measured in blocks at the end: the plan's figure is an estimate, rounded up by a worst case.
  const allocatedBefore = allocatedBytes(facts.path);
  const measured = () => ({ freedBytes: freedBytes(facts, allocatedBefore, outputPath) });
  const { fileFs, budget } = space;
  log.info(`filesystem ${fileFs.mountPoint} (${fileFs.type}): ${bytes(fileFs.freeBytes)} free${quotaNote(fileFs.quota)} of ${bytes(fileFs.totalBytes)}, ${fileFs.freeInodes} inodes free`);
  report.memory = { availableBytes: budget.available, limitedBy: budget.limitedBy };
  const fd = openSource(facts);
  // Closed as soon as FILE is read (a file waiting at the holder check holds no descriptor), and before a
  // loan from the reserve is grown back (FILE's blocks are freed only once no descriptor holds it).
  let open = true;
  const close = () => open && ((open = false), fs.closeSync(fd));
  let read;
  try {
    const header = headerFieldsFor(facts, opts);
    if (mtimeOutOfRange(facts, opts)) report.warning = mtimeWarning(facts.path);
    const next = await besideFirst(first, facts, space, { fd, close, header }, job, measured);
    if ('status' in next) return next;
    // Every strategy from here on removes or rewrites FILE (or, with -k, leaves it): the first look may be a batch old.
    if (!opts.simulate && !opts.keep) await lookAgain(facts, opts);
    if (next.mode.kind === 'blocks') {
      const blocks = await compressInBlocks({ facts, fileFs: space.fileFs, outputFs: space.outputFs, outputPath, estimate: next.estimate, memory: budget, stashDirs: job.stashDirs, trace: report }, opts, log);
      job.clock.total();
      return { ...report, ...blocks, ...(blocks.status === 'compressed' ? measured() : {}) };
    }
    read = await job.progress.track('compressing', facts.size, (advance) => readAndCompress(fd, {}, header, advance));
    assertReadWhole(fd, facts, read.source.size);
  } finally {
    close();
  }
  return writeWhole(facts, space, read, job, measured);
}

/** FILE read and compressed whole: the mode chosen again with the exact size, shown, then written (unless simulated). */
async function writeWhole(facts: FileFacts, space: Space, read: Awaited<ReturnType<typeof readAndCompress>>, job: Job, measured: () => Partial<FileReport>): Promise<FileReport> {
  const { opts, log, report, clock } = job;
  const { source, compressed } = read;
  const compressMs = clock.lap('compress');
  log.info(
    `read ${bytes(source.size)} as ${source.blocks.length} blocks in ${duration(compressMs)}, compressed to ${bytes(compressed.size)} (${percent(compressed.size, source.size)}) ` +
      `at level ${opts.level} on ${CORES} cores at the same time (${speed(source.size, compressMs)})`,
  );
  Object.assign(report, { originalBytes: source.size, compressedBytes: compressed.size, ratio: compressed.size / Math.max(1, source.size) });
  const stashes = stashCandidates(facts.dev, job.stashDirs, opts.noStash, (why) => log.warn(why));
  const { plan } = chooseMode(modeFacts(facts, space, job.outputPath, { bytes: compressed.size, known: 'exact' }, { stashes }), opts);
  const steps = wholeFileSteps(plan, { size: source.size, compressedSize: compressed.size, keep: opts.keep, gz: gzPlace(space.fileFs, space.outputFs) });
  Object.assign(report, planReport(plan, steps));
  logPlan(plan, facts, compressed.size, space.budget, steps, log, opts.simulate);
  refuseUnsafe(steps, plan, opts);
  if (opts.simulate) return simulated(job, facts, report);
  if (plan.window)
    await consentToWindow(
      'strategy in-place: for the seconds of the rewrite the only complete copy is in memory; a kill -9 or a power cut then loses the file ' +
        '(SIGINT, SIGTERM, SIGQUIT are held back, SIGHUP is ignored). --stash DIR on another filesystem avoids this',
      opts.yes,
      log,
    );
  const written = await executeWhole({ facts, level: opts.level, source, compressed, plan, log, steps, readMs: compressMs, into: report });
  clock.lap('write');
  logDone(log, facts, written, source.size, compressed.size, space.freeBefore, clock.total(), opts.keep);
  return { ...report, output: written, status: 'compressed', ...measured() };
}
