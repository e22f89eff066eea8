// --until PCT / --free SIZE: per filesystem of the operands, plan the set of files that reaches the
// target, print that plan (all --simulate does), then compress one file at a time until it is met.
import { statfsSync } from 'node:fs';
import { CmemError, EXIT, toCmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import { planSet, wantedFree, type SetCandidate, type SetInput } from '../plan/set-plan.js';
import { dfUsedPercent } from '../plan/df-used.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { availableMemory } from '../probe/memory.js';
import { stashCandidates } from '../probe/stash.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import type { Logger } from '../report/logger.js';
import { printReport } from '../report/print-report.js';
import { guardLine, plannedJson, planLines, summaryJson, summaryLine, type SetOutcome } from '../report/set-report.js';
import { CORES } from '../steps/parallel.js';
import { compressFile } from './compress-file.js';
import { inOperandFolders } from './operand-folders.js';
import { DEFAULT_SCAN_DIRS } from './scan.js';
import { gatherCandidates, groupOperands, type OperandGroup } from './set-candidates.js';
import { loanableOn } from './reserve-loan.js';
import { fsPath, withNameBytes } from '../fs/raw-names.js';

/** Options that make no sense when the files are chosen for the operator. */
function refusedWithTarget(opts: Options): CmemError | undefined {
  const clash = [
    [opts.keep, '-k (keeping the originals frees nothing)'],
    [opts.output !== undefined, '-o (the .gz must replace the file on its own filesystem)'],
    [opts.stdout, '-c'],
    [opts.decompress, '-d'],
    [opts.test, '-t'],
    [opts.list, '-l'],
    [opts.resume, '--resume'],
  ].find(([on]) => on);
  return clash && new CmemError('BAD_OPTION', `--until and --free choose files to compress; they do not go with ${clash[1]}`, 'drop that option');
}

/** A run's step that left, for a moment, the only copy in memory or on a RAM-backed stash. */
function wasRisky(report: FileReport): boolean {
  if (report.window) return true;
  if (report.stash === undefined) return false;
  try {
    return probeFilesystem(report.stash).ramBacked;
  } catch {
    return true; // the stash is gone already: count it as the risky kind, to be safe
  }
}

const usedPercentOf = (mountPoint: string) => dfUsedPercent(statfsSync(fsPath(mountPoint)));

/**
 * A guard run (--above) is unattended: it takes no step with a window (in place without a safety copy,
 * a copy in RAM) unless the operator said so, with -y or --allow-ram-stash.
 */
const guardRules = (opts: Options): Options => (opts.above !== undefined && !opts.yes ? { ...opts, safe: true } : opts);

async function freeOne(group: OperandGroup, opts: Options, log: Logger): Promise<SetOutcome> {
  const target = opts.target!;
  const fs = probeFilesystem(group.fs.mountPoint);
  const guard = opts.above === undefined ? undefined : { above: opts.above, usedPercent: usedPercentOf(fs.mountPoint), acted: false };
  if (guard && guard.usedPercent <= guard.above)
    return { fs, target, wanted: wantedFree(target, fs), before: fs.freeBytes, after: fs.freeBytes, passed: [], failed: [], files: [], met: true, simulated: opts.simulate, guard };
  if (guard) {
    guard.acted = true;
    log.info(guardLine(fs.mountPoint, guard));
  }
  const gathered = gatherCandidates(group, opts);
  const stashes = stashCandidates(fs.dev, opts.stash ? [opts.stash] : [], opts.noStash, (why) => log.detail(why));
  const input: SetInput = { fs, target, candidates: gathered.candidates, stashes, memoryAvailable: availableMemory(), cores: CORES, riskyTaken: false, loanable: loanableOn(fs.dev) };
  const planned = planSet(input, opts);
  planLines(fs, target, planned, gathered.passed).forEach((line) => log.info(line));
  gathered.passed.forEach((f) => log.detail(`passed over ${f.path}: ${f.reason}`));
  const outcome = { fs, target, wanted: planned.wanted, before: fs.freeBytes, passed: gathered.passed, failed: [] as SetOutcome['failed'], guard };
  if (opts.simulate) {
    if (opts.json) planned.steps.forEach((s) => process.stdout.write(`${JSON.stringify(withNameBytes(plannedJson(s)))}\n`));
    return { ...outcome, after: planned.expectedFree, files: planned.steps.map((s) => s.path), met: planned.met, simulated: true, short: planned.short };
  }
  // Planned again before each file from the free space measured then, so an estimate that was off
  // changes what follows, not what is safe; after the risky step the rest may take no risk at all.
  let left: SetCandidate[] = gathered.candidates;
  let riskyTaken = false;
  let short: string | undefined;
  const files: string[] = [];
  for (;;) {
    const now = probeFilesystem(fs.mountPoint);
    if (now.freeBytes >= planned.wanted) break;
    const next = planSet({ ...input, fs: now, candidates: left, riskyTaken }, opts);
    if (next.steps.length === 0) {
      short = next.short;
      break;
    }
    const step = next.steps[0];
    const guarded = riskyTaken ? { ...opts, safe: true, noStash: opts.noStash || stashes.every((s) => s.fs.ramBacked) } : opts;
    const report = await inOperandFolders(step.path, guarded, () => compressFile(step.path, guarded, log));
    printReport(report, opts.json, log);
    left = left.filter((c) => c.file.path !== step.path);
    if (report.status === 'failed') outcome.failed.push({ file: step.path, message: report.error?.message ?? 'failed' });
    else files.push(step.path);
    // A failed step put everything back: it took no risk. A refused window is the operator's answer
    // for the others too: asking again file after file would compress each in memory for nothing.
    riskyTaken ||= report.error?.code === 'WINDOW_REFUSED' || (report.status !== 'failed' && (step.risky || wasRisky(report)));
  }
  const after = probeFilesystem(fs.mountPoint).freeBytes;
  const met = after >= planned.wanted;
  const why = [short, ...outcome.failed.map((f) => `${f.file} failed: ${f.message}`)].filter(Boolean).join('; ');
  return { ...outcome, after, files, met, simulated: false, short: met ? undefined : why || 'stopped short' };
}

export async function freeToTarget(operands: readonly string[], opts: Options, log: Logger): Promise<number> {
  let groups: OperandGroup[];
  try {
    const refused = refusedWithTarget(opts);
    if (refused) throw refused;
    groups = groupOperands(operands.length > 0 ? operands : DEFAULT_SCAN_DIRS());
  } catch (err) {
    printReport(failedReport('(command line)', toCmemError(err, 'target'), {}), false, log);
    return EXIT.error;
  }
  const outcomes: SetOutcome[] = [];
  for (const group of groups) {
    const outcome = await freeOne(group, guardRules(opts), log);
    if (opts.json) process.stdout.write(`${JSON.stringify(withNameBytes(summaryJson(outcome)))}\n`);
    if (outcome.met) log.success(summaryLine(outcome));
    else log.error(summaryLine(outcome));
    outcomes.push(outcome);
  }
  if (outcomes.every((o) => o.met)) return EXIT.ok;
  // A guard's monitoring tells a target out of reach (2) from a file that failed (1), as gzip tells a warning from an error.
  return opts.above !== undefined && outcomes.every((o) => o.failed.length === 0) ? EXIT.warning : EXIT.error;
}
