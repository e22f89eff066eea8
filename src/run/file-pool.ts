// -r and many operands: small files are compressed side by side while their filesystem has room for the
// .gz of all that may be written at once, so that the compressing threads stay busy and the holder check
// before each removal is shared (holders-gate.ts). A large file, or one on a filesystem short of room,
// waits until every file before it is done, then runs alone: it plans with the memory and the space they
// freed, as when one by one. Reports are printed in the operands' order, each with its own lines.
import fs from 'node:fs';
import path from 'node:path';
import type { FileReport } from '../report/file-report.js';
import { heldLogger } from '../report/held-logger.js';
import type { Logger } from '../report/logger.js';
import { fsPath } from '../fs/raw-names.js';
import { CORES } from '../steps/parallel.js';
import { jobEnded, jobStarted, runningBelow } from './holders-gate.js';

/** Files up to this size share the machine; a larger one waits until every file before it is done. */
export const SMALL_FILE = 4 * 2 ** 20;

export interface PoolJob {
  file: string;
  /** A report known without running anything (a -r entry passed over). */
  ready?: FileReport;
}

const sizeOf = (file: string) => fs.lstatSync(fsPath(file), { throwIfNoEntry: false })?.size ?? 0;

function freeBytes(dir: string): number {
  try {
    const st = fs.statfsSync(fsPath(dir));
    return st.bavail * st.bsize;
  } catch {
    return 0;
  }
}

/**
 * Runs each job with run(file, its logger), at most `width` at a time (1 keeps them one by one, yet each
 * file waits at the holder check for the next, so that checks are shared); emit sees the reports in order.
 */
export async function runPool(
  jobs: Iterable<PoolJob>,
  width: number,
  log: Logger,
  run: (file: string, log: Logger) => Promise<FileReport>,
  emit: (report: FileReport, job: PoolJob) => void,
): Promise<void> {
  const inOrder: { job: PoolJob; done: Promise<FileReport>; report?: FileReport; release: () => void }[] = [];
  let printed = 0;
  // The first file not yet reported writes its lines as they come; the others hold theirs until it is their turn.
  const printReady = () => {
    for (let next = inOrder[printed]; next?.report; next = inOrder[++printed]) {
      next.release();
      emit(next.report, next.job);
    }
    inOrder[printed]?.release();
  };
  for (const job of jobs) {
    if (job.ready) {
      inOrder.push({ job, done: Promise.resolve(job.ready), report: job.ready, release: () => {} });
    } else {
      const size = sizeOf(job.file);
      // Room for the .gz of every file that may be written at once (width of them, each at most SMALL_FILE), twice over;
      // a file waiting at the holder check has its .gz written already, in what statfs counts as used.
      const alone = size > SMALL_FILE || freeBytes(path.dirname(job.file)) < 2 * width * SMALL_FILE;
      if (alone) await Promise.all(inOrder.map((e) => e.done));
      else await runningBelow(width);
      const own = heldLogger(log);
      jobStarted();
      const entry: (typeof inOrder)[number] = { job, done: run(job.file, own), release: own.release };
      entry.done = entry.done
        .then((report) => ((entry.report = report), report))
        .finally(jobEnded);
      inOrder.push(entry);
      if (inOrder.length - 1 === printed) own.release();
      if (alone) await entry.done;
    }
    printReady();
  }
  await Promise.all(inOrder.map((e) => e.done));
  printReady();
}

/** Side by side when nobody may be asked a question meanwhile (a terminal without --yes); one by one otherwise. */
export const poolWidth = (opts: { yes: boolean }) => (process.stdin.isTTY && !opts.yes ? 1 : Math.max(2, CORES * 2));
