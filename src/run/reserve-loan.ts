// A run's loan from the reserve on FILE's filesystem: just the room the .gz beside needs, given back by
// ftruncate before it is written, grown back after from the space the run freed and never past it. A
// run killed meanwhile leaves the reserve short of its record; the next run grows it back (restoreReserve).
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { fsPath } from '../fs/raw-names.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { growReserve, openReserve, shrinkReserve, sizeOf } from '../steps/reserve-file.js';
import { reserveOn, type ReserveRecord } from '../steps/reserve-record.js';
import { closeJudged } from '../steps/write-chunks.js';
import type { LoanActs } from '../strategies/reserve-loan.js';

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
 * The loan's two acts, for the steps that take them: give back the room the .gz beside needs before it is
 * written; grow back after (once FILE's last descriptor is closed: it holds FILE's blocks until then) by at
 * most what the run freed, free space now against before the loan. The undo of giving back grows back too:
 * a failed run freed nothing but left the loan free again.
 */
export function lending(loan: Loan, dir: string, into: { reserve?: { path: string; lentBytes: number; grownBackBytes?: number } }, log: Logger): LoanActs {
  let fd: number | undefined;
  let freeBefore = 0;
  const growBack = () => {
    if (fd === undefined) return;
    into.reserve!.grownBackBytes = growBy(fd, loan.record, probeFilesystem(dir).freeBytes - freeBefore, log);
    closeJudged(fd);
    fd = undefined;
  };
  const giveBack = () => {
    freeBefore = probeFilesystem(dir).freeBytes;
    fd = openRecorded(loan.record);
    shrinkReserve(fd, sizeOf(fd) - loan.bytes);
    into.reserve = { path: loan.record.path, lentBytes: loan.bytes };
    log.detail(`the reserve ${loan.record.path} gave back ${bytes(loan.bytes)} for the .gz`);
  };
  return { giveBack, growBack };
}

/** After a run that took no loan: a reserve left short by a killed run grows back toward its record from the free space. */
export function restoreReserve(dir: string, log: Logger): void {
  try {
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
