// Runs every operand in the mode the options choose (compress, -d, -t, -l, -c or -), walking folders
// with -r, and prints each outcome; -r ends with a summary line (not in --json: objects only there).
import fs from 'node:fs';
import path from 'node:path';
import { fsPath } from '../fs/raw-names.js';
import { CmemError, type Outcome } from '../errors.js';
import type { Options } from '../plan/options.js';
import { failedReport, outcomeOf, type FileReport } from '../report/file-report.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { printReport } from '../report/print-report.js';
import { decompressFile } from './decompress-file.js';
import { runPool, poolWidth } from './file-pool.js';
import { listFiles } from './list-files.js';
import { inOperandFolders } from './operand-folders.js';
import { orderOperands } from './order-operands.js';
import { strayRecords } from './stray-records.js';
import { testFile } from './test-file.js';
import { STDIN, toStdout } from './to-stdout.js';
import { walkOperands, type Entry } from './walk-tree.js';

/** No operand means stdin, as with gzip. */
export const operandsOf = (files: readonly string[]): readonly string[] => (files.length === 0 ? [STDIN] : files);

/** True when stdout carries data (-c, or -), so that messages must go to stderr. */
export const dataOnStdout = (opts: Options, files: readonly string[]): boolean =>
  !opts.list && !opts.test && (opts.stdout || operandsOf(files).includes(STDIN));

/** How one operand is compressed, with the logger given: main chooses (a /proc/PID/fd/N operand has its own path). */
export type Compress = (file: string, log: Logger) => Promise<FileReport>;

function runOne(file: string, opts: Options, log: Logger, compress: Compress): Promise<FileReport> {
  if (opts.test) return testFile(file, log, opts.suffix, opts.verbose);
  if (opts.stdout || file === STDIN) return toStdout(file, opts, log);
  if (opts.decompress) return inOperandFolders(file, opts, () => decompressFile(file, opts, log));
  return inOperandFolders(file, opts, () => compress(file, log));
}

/** Compressing files by name beside themselves, the one mode whose files may run side by side (file-pool.ts). */
const pooled = (opts: Options, files: readonly string[]) => !opts.test && !opts.decompress && !opts.output && !dataOnStdout(opts, files);

/** What the summary line and the look for stray records need of a report printed already (-r keeps thousands). */
type Kept = Pick<FileReport, 'file' | 'status' | 'freedBytes'>;

function summary(reports: readonly Kept[], opts: Options): string {
  const count = (pred: (r: Kept) => boolean) => reports.filter(pred).length;
  const done = count((r) => r.status !== 'ignored' && r.status !== 'skipped' && r.status !== 'failed');
  const skipped = count((r) => r.status === 'ignored' || r.status === 'skipped');
  const failed = count((r) => r.status === 'failed');
  const freed = reports.reduce((n, r) => n + (r.freedBytes ?? 0), 0);
  const verb = opts.test ? 'tested' : opts.decompress ? 'decompressed' : 'compressed';
  const space = freed >= 0 ? `${bytes(freed)} freed` : `${bytes(-freed)} more in use`;
  return `recursive: ${done} file(s) ${verb}, ${skipped} skipped, ${failed} failed; ${space}`;
}

/** Compressing runs name the records of interrupted jobs they did not finish, and what to do about each. */
function withStrays(last: FileReport, reports: readonly Kept[], opts: Options, log: Logger): FileReport {
  if (opts.test || opts.stdout || opts.decompress) return last;
  const strays = strayRecords(opts.stash ? [opts.stash] : [], reports.map((r) => path.dirname(r.file)));
  for (const s of strays) log.warn(`the record of an interrupted job on ${s.name} (started ${s.createdAt}) is left: ${s.record}; ${s.advice}`);
  return strays.length > 0 ? { ...last, strayRecords: strays } : last;
}

const isDirectory = (p: string) => fs.statSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory() ?? false;

export async function runOperands(files: readonly string[], opts: Options, log: Logger, compress: Compress): Promise<Outcome[]> {
  const operands = operandsOf(files);
  const refused =
    opts.json && dataOnStdout(opts, files)
      ? new CmemError('BAD_OPTION', '--json prints on stdout, which -c (or -) uses for the data')
      : opts.resume && files.length === 0
        ? new CmemError('BAD_OPTION', '--resume needs the FILE whose run was interrupted')
        : opts.output && (files.length > 1 || opts.recursive) && !isDirectory(opts.output)
          ? new CmemError('BAD_OPTION', `-o ${opts.output} names one file, but there are several operands`, 'give -o an existing folder instead')
          : undefined;
  if (refused) {
    printReport(failedReport('(command line)', refused, {}), false, log);
    return ['error'];
  }
  const entries: Iterable<Entry> = opts.recursive ? walkOperands(operands, opts) : orderOperands(operands, opts).map((file) => ({ file }));
  if (opts.list) {
    return listFiles([...entries].filter((e) => !e.ignore).map((e) => e.file), opts, log);
  }
  const outcomes: Outcome[] = [];
  const reports: Kept[] = [];
  let last: FileReport | undefined;
  const ignored = (entry: Entry): FileReport | undefined => (entry.ignore ? { file: path.resolve(entry.file), status: 'ignored', reason: entry.ignore, timings: {} } : undefined);
  const emit = (report: FileReport, entry: Entry) => {
    if (entry.ignore) log.detail(`skipped ${entry.file}: ${entry.ignore}`);
    // The last report waits for the stray records, which --json carries in it.
    if (last) printReport(last, opts.json, log);
    outcomes.push(outcomeOf(report));
    reports.push({ file: report.file, status: report.status, freedBytes: report.freedBytes });
    last = report;
  };
  if (pooled(opts, files)) {
    const jobs = (function* () {
      for (const entry of entries) yield { ...entry, ready: ignored(entry) };
    })();
    await runPool(jobs, poolWidth(opts), log, (file, own) => runOne(file, opts, own, compress), (report, job) => emit(report, job));
  } else for (const entry of entries) emit(ignored(entry) ?? (await runOne(entry.file, opts, log, compress)), entry);
  if (last) printReport(withStrays(last, reports, opts, log), opts.json, log);
  if (opts.recursive) log.info(summary(reports, opts));
  return outcomes;
}
