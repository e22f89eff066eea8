// -r and many operands: small files are compressed side by side while their filesystem has room for the
// .gz of all that may be written at once, so that the main thread always has a file to work on while the
// pool compresses others, and the holder check before each removal is shared (holders-gate.ts). A large
// file, or one on a filesystem short of room, waits until every file before it is done, then runs alone:
// it plans with the memory and the space they freed, as when one by one. Reports are printed in the
// operands' order, each with its own lines.
import fs from 'node:fs';
import path from 'node:path';
import { RESERVE, worstCaseCompressed } from '../plan/plan.js';
import type { FileReport } from '../report/file-report.js';
import { heldLogger } from '../report/held-logger.js';
import type { Logger } from '../report/logger.js';
import { fsPath } from '../fs/raw-names.js';
import { openFilesLimit } from '../probe/open-files.js';
import { CORES } from '../steps/parallel.js';
import { jobEnded, jobStarted, passEvery, runningBelow } from './holders-gate.js';

/** Files up to this size share the machine; a larger one waits until every file before it is done. */
export const SMALL_FILE = 4 * 2 ** 20;

/**
 * Files that share the machine run this many to a core: a file goes back and forth between the main
 * thread and the pool several times, and with few of them both wait on each other (README, "Many files").
 */
const FILES_PER_CORE = 32;

/**
 * ... and never more than this many: each holds a zlib stream (~400 KiB) while it waits for the pool, and
 * one main thread keeps no more busy (at 32 a core, 64 cores would hold 2,048 streams, 800 MiB, at once).
 */
const MAX_IN_FLIGHT = 128;

/**
 * Descriptors a file in flight may hold at once (FILE, its temporary .gz, its folder pinned, a record), and
 * those the run holds besides (stdio, libuv, the folders of the walk): at 32 a core, a hard limit of 1,024
 * (common in containers) was reached from 16 cores on, and every file past it failed with EMFILE.
 */
const FDS_PER_FILE = 4;
const FDS_KEPT = 64;

/** Bytes of the files begun and not ended: what the pool held in memory when it ran 2 a core of SMALL_FILE. */
export const IN_FLIGHT_BYTES = Math.max(2, CORES * 2) * SMALL_FILE;

export interface PoolJob {
  file: string;
  /** Its size as a walk just saw it, if one did (else it is looked at). */
  size?: number;
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

/** The jobs begun and not ended, and their bytes (each counted as its worst-case .gz); one caller waits. */
function inFlight() {
  let count = 0;
  let bytes = 0;
  let failed: { err: unknown } | undefined;
  let wake: (() => void) | undefined;
  return {
    get bytes() {
      return bytes;
    },
    add(done: Promise<unknown>, size: number) {
      count++;
      bytes += size;
      done
        .catch((err) => void (failed ??= { err }))
        .finally(() => {
          count--;
          bytes -= size;
          wake?.();
        });
    },
    /** Resolves once the jobs in flight hold at most `limit` bytes (0: once none is left); throws what a job threw. */
    async below(limit: number) {
      while (!failed && count > 0 && bytes > limit) await new Promise<void>((w) => (wake = w));
      if (failed) throw failed.err;
    },
  };
}

/** Waits for the job's turn: alone (once nothing is in flight), or side by side (once its bytes fit and fewer than width run). */
async function turnOf(job: PoolJob, flying: ReturnType<typeof inFlight>, width: number): Promise<{ bytes: number; alone: boolean }> {
  const size = job.size ?? sizeOf(job.file);
  const bytes = worstCaseCompressed(size);
  // Room for the .gz of every file in flight and of this one, twice over; a file waiting at the holder
  // check has its .gz written already, in what statfs counts as used. And for the plan's RESERVE beyond:
  // then whatever the others write, each file's worst case fits beside when it plans. Without it, files
  // with no room beside ran side by side, borrowing from the reserve (one grew back another's loan, a
  // restore after a file took the room lent to the next) or rewriting in place, unlike one by one.
  const alone = size > SMALL_FILE || freeBytes(path.dirname(job.file)) < 2 * (flying.bytes + bytes) + RESERVE;
  if (alone) await flying.below(0);
  else {
    await flying.below(IN_FLIGHT_BYTES - bytes);
    await runningBelow(width);
  }
  return { bytes, alone };
}

/**
 * Runs each job with run(file, its logger), at most `width` at a time (1 keeps them one by one, yet each
 * file waits at the holder check for the next, so that checks are shared); emit sees the reports in order.
 */
export async function runPool(...args: Parameters<typeof runInOrder>): Promise<void> {
  // Files waiting at the holder check are answered once they fill half the pool: the other half goes on.
  passEvery(IN_FLIGHT_BYTES / 2);
  try {
    await runInOrder(...args);
  } finally {
    passEvery(Infinity);
  }
}

async function runInOrder(
  jobs: Iterable<PoolJob>,
  width: number,
  log: Logger,
  run: (file: string, log: Logger) => Promise<FileReport>,
  emit: (report: FileReport, job: PoolJob) => void,
): Promise<void> {
  // Jobs not yet reported, in the operands' order, from queue[head] (a reported one is let go: -r may run
  // through thousands). Not shift(): it moves what is left, and thousands of passed-over entries can queue
  // behind one running file (the walk is synchronous), which made reporting them quadratic.
  type Queued = { job: PoolJob; report?: FileReport; release: () => void };
  const queue: (Queued | undefined)[] = [];
  let head = 0;
  const flying = inFlight();
  // The first file not yet reported writes its lines as they come; the others hold theirs until it is their turn.
  const printReady = () => {
    for (let next = queue[head]; next?.report; next = queue[++head]) {
      queue[head] = undefined;
      next.release();
      emit(next.report, next.job);
    }
    if (head > 1024 && head * 2 > queue.length) {
      queue.splice(0, head);
      head = 0;
    }
    queue[head]?.release();
  };
  for (const job of jobs) {
    if (job.ready) {
      queue.push({ job, report: job.ready, release: () => {} });
    } else {
      const { bytes, alone } = await turnOf(job, flying, width);
      const own = heldLogger(log);
      jobStarted();
      const entry: Queued = { job, release: own.release };
      const done = run(job.file, own)
        .then((report) => void (entry.report = report))
        .finally(jobEnded);
      flying.add(done, bytes);
      queue.push(entry);
      if (queue.length - 1 === head) own.release();
      if (alone) await done;
    }
    printReady();
  }
  await flying.below(0);
  printReady();
}

/** Side by side when nobody may be asked a question meanwhile (a terminal without --yes); one by one otherwise. */
export const poolWidth = (opts: { yes: boolean }, openFiles = openFilesLimit(), cores = CORES) =>
  process.stdin.isTTY && !opts.yes ? 1 : Math.max(1, Math.min(FILES_PER_CORE * cores, MAX_IN_FLIGHT, Math.floor((openFiles - FDS_KEPT) / FDS_PER_FILE)));
