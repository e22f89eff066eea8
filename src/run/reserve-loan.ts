// A run's loan from the reserve on FILE's filesystem: just the room the .gz beside needs, given back by
// ftruncate before it is written, grown back after from the space the run freed and never past it. A
// run killed meanwhile leaves the reserve short of its record; the next run grows it back (restoreReserve).
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { STEP } from '../steps/step-names.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { fsPath } from '../fs/raw-names.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { reached } from '../steps/reached.js';
import { growReserve, openReserve, shrinkReserve, sizeOf } from '../steps/reserve-file.js';
import { readReserves, reserveOn, type ReserveRecord } from '../steps/reserve-record.js';
import { closeJudged } from '../steps/write-chunks.js';

export interface Loan {
  record: ReserveRecord;
  /** Bytes the reserve gives back: what the .gz beside needs beyond the free space, in whole blocks. */
  bytes: number;
}

const sizeNow = (record: ReserveRecord) => fs.statSync(fsPath(record.path)).size;

/** The reserve on the filesystem dev, and what it could lend now: its size (no record and 0 without one). */
export function reserveThere(dev: number): { record?: ReserveRecord; loanable: number } {
  const record = reserveOn(dev);
  return { record, loanable: record ? sizeNow(record) : 0 };
}

export const loanableOn = (dev: number): number => reserveThere(dev).loanable;

function openRecorded(record: ReserveRecord): number {
  const fd = openReserve(record.path);
  if (fd === undefined) throw new CmemError('ENOENT', `the reserve ${record.path} is gone`, 'make it again with cmemgzip --reserve SIZE DIR');
  return fd;
}

/** Grows the reserve by up to allowance toward its record; what does not fit now waits for a later run. */
function growBy(fd: number, record: ReserveRecord, allowance: number, log: Logger): number {
  const from = sizeOf(fd);
  const to = Math.min(record.size, from + Math.max(0, allowance));
  if (to <= from) return 0;
  try {
    return growReserve(fd, to, true) - from;
  } catch (err) {
    log.warn(`the reserve ${record.path} could not grow back to ${bytes(to)} (${(err as Error).message}); it is ${bytes(from)}, and a later run grows it back`);
    return 0;
  }
}

/**
 * Runs fn (the streamed run beside) in the room the loan gives back, then (once release has closed the
 * last descriptor on FILE, which holds its blocks until then) grows the reserve back by at most what the
 * run freed: free space now against before the loan. A failed fn freed nothing but left the loan free
 * again: that is grown back too.
 */
export async function lendFromReserve<T>(
  loan: Loan,
  dir: string,
  into: { reserve?: { path: string; lentBytes: number; grownBackBytes?: number } },
  log: Logger,
  fn: () => Promise<T>,
  release: () => void,
): Promise<T> {
  const freeBefore = probeFilesystem(dir).freeBytes;
  reached(STEP.giveBack);
  const fd = openRecorded(loan.record);
  try {
    shrinkReserve(fd, sizeOf(fd) - loan.bytes);
    into.reserve = { path: loan.record.path, lentBytes: loan.bytes };
    log.detail(`the reserve ${loan.record.path} gave back ${bytes(loan.bytes)} for the .gz`);
    let result: T;
    try {
      result = await fn();
    } catch (err) {
      into.reserve.grownBackBytes = growBy(fd, loan.record, probeFilesystem(dir).freeBytes - freeBefore, log);
      throw err;
    }
    reached(STEP.growBack);
    release();
    into.reserve.grownBackBytes = growBy(fd, loan.record, probeFilesystem(dir).freeBytes - freeBefore, log);
    return result;
  } finally {
    closeJudged(fd);
  }
}

/** After a run that took no loan: a reserve left short by a killed run grows back toward its record from the free space. */
export function restoreReserve(dir: string, log: Logger): void {
  try {
    // With no reserve recorded (the usual case, and -r asks after every file) there is no folder to look at.
    if (readReserves().length === 0) return;
    const record = reserveOn(fs.statSync(fsPath(dir)).dev);
    if (!record) return;
    const fd = openRecorded(record);
    try {
      if (sizeOf(fd) >= record.size) return;
      const grown = growBy(fd, record, probeFilesystem(dir).freeBytes, log);
      if (grown > 0) log.info(`the reserve ${record.path}, left short by an interrupted run, grew back by ${bytes(grown)} to ${bytes(sizeOf(fd))} of ${bytes(record.size)}`);
    } finally {
      closeJudged(fd);
    }
  } catch (err) {
    log.warn(`the reserve on ${dir}'s filesystem could not be checked: ${(err as Error).message}`);
  }
}
