// One operand's compression job: what each way of compressing it shares (its options, log, report, clock,
// the space and memory probed, FILE open for reading), and the plan's lines and report fields.
import path from 'node:path';
import type { ModeFacts } from '../plan/choose-mode.js';
import { unsafeRefusal, windowsOf } from '../plan/loss-windows.js';
import type { Options } from '../plan/options.js';
import type { Plan } from '../plan/plan.js';
import { ramPlace, stepsJson, type Step } from '../plan/steps.js';
import type { FileFacts } from '../probe/file.js';
import { probeFilesystem, type FsFacts } from '../probe/filesystem.js';
import { memoryBudget, type MemoryBudget } from '../probe/memory.js';
import type { FileReport } from '../report/file-report.js';
import { gzipVerboseLine } from '../report/gzip-verbose.js';
import type { Logger } from '../report/logger.js';
import type { Progress } from '../report/progress.js';
import { planLines } from '../report/steps-taken.js';
import type { HeaderFields } from '../steps/gzip-format.js';
import { bytes, duration, percent } from '../text/format.js';

/** Clock for the report's timings: each step's milliseconds under its name. */
export function stopwatch() {
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

export interface Job {
  file: string;
  opts: Options;
  log: Logger;
  report: FileReport;
  clock: ReturnType<typeof stopwatch>;
  progress: Progress;
  outputPath: string;
  stashDirs: string[];
}

/** The filesystems of FILE and of the .gz as last seen (a loan from the reserve, or a write that ran out of room, changes them), and the memory. */
export interface Space {
  fileFs: FsFacts;
  outputFs: FsFacts;
  budget: MemoryBudget;
  /** Free space on FILE's filesystem before anything was written, for the outcome line. */
  freeBefore: number;
}

export function probeSpace(facts: FileFacts, outputPath: string): Space {
  const fileFs = probeFilesystem(facts.dir);
  // The .gz beside FILE (the usual case) is on FILE's filesystem, seen in the same instant: one probe, not two.
  const outputDir = path.dirname(outputPath);
  const outputFs = outputDir === facts.dir ? fileFs : probeFilesystem(outputDir);
  return { fileFs, outputFs, budget: memoryBudget(), freeBefore: fileFs.freeBytes };
}

/** FILE open for reading, its closing (once), and the .gz header made from it. */
export interface Source {
  fd: number;
  close: () => void;
  header: HeaderFields;
}

/** What the mode's choice is made from, as far as this job knows it. */
export function modeFacts<const G extends ModeFacts['gz']>(facts: FileFacts, space: Space, outputPath: string, gz: G, more: Partial<Omit<ModeFacts, 'gz'>> = {}): ModeFacts & { gz: G } {
  return { file: facts, fs: space.fileFs, outputPath, outputFs: space.outputFs, stashes: [], memoryAvailable: space.budget.available, gz, ...more };
}

export function simulated(job: Job, facts: FileFacts, r: FileReport): FileReport {
  job.clock.total();
  job.log.success(`simulation only: nothing was written, ${facts.path} is untouched`);
  return { ...r, status: 'simulated' };
}

export function logPlan(p: Plan, facts: FileFacts, compressedSize: number, memory: MemoryBudget, steps: readonly Step[], log: Logger, simulate: boolean): void {
  log.info(`strategy: ${log.chalk.bold(p.strategy)}${p.method === 'unlink' ? ' (unlink, then write)' : ''}: ${p.reason}`);
  log.info(`compressed: ${bytes(compressedSize)}, ${percent(compressedSize, facts.size)} of the original`);
  log.info(`memory: needs ${bytes(p.memoryNeeded)}, ${bytes(memory.available)} available (limited by ${memory.limitedBy})`);
  log.info(`space needed on ${p.strategy === 'stash' ? p.stash!.fs.mountPoint : 'the output filesystem'}: ${bytes(p.spaceNeeded)}`);
  log.info(`${simulate ? 'would free' : 'will free'} about ${bytes(p.freed)} on the file's filesystem (measured again at the end)`);
  planLines(steps, windowsOf(steps, ramPlace(p.stash))).forEach((line) => log.info(line));
}

/** --safe's last word on a plan: any window its steps leave, of either kind, is refused before anything is written. */
export function refuseUnsafe(steps: readonly Step[], p: Pick<Plan, 'stash'>, opts: Options): void {
  const refused = unsafeRefusal(windowsOf(steps, ramPlace(p.stash)), opts);
  if (refused) throw refused;
}

/** The plan's fields of the report: strategy, windows and steps as --json carries them. */
export function planReport(p: Plan, steps: readonly Step[]): Partial<FileReport> {
  return { strategy: p.strategy, reason: p.reason, window: p.window, windows: windowsOf(steps, ramPlace(p.stash)), steps: stepsJson(steps), stash: p.stash?.dir, freedBytes: p.freed };
}

/** The outcome line: sizes, and the free space measured again rather than predicted (not when no line is shown: -q, --json). */
export function logDone(log: Logger, facts: FileFacts, outputPath: string, original: number, compressed: number, freeBefore: number, ms: number, kept: boolean): void {
  if (!log.chatty) return;
  const freeNow = probeFilesystem(facts.dir).freeBytes;
  log.success(
    `${facts.path} -> ${outputPath}: ${bytes(original)} -> ${bytes(compressed)} (${percent(compressed, original)}), ` +
      `free space now ${bytes(freeNow)} (was ${bytes(freeBefore)}), in ${duration(ms)}`,
  );
  log.detail(gzipVerboseLine(facts.path, outputPath, original, compressed, kept));
}
