// The holder check just before a destructive step, shared by the files that reach it together. Each file
// waits there; once every running job has reached it or ended, or the first waiting has waited SHARE times
// as long as the last pass took (or BATCH wait, or their bytes fill half the pool's and BYTES_SHARE times
// the last pass went by since it), one pass over /proc, taken after all of them arrived, answers for all:
// a process that opened FILE since any earlier look is caught, the gap between that pass and the step is
// no longer than a lone file's, and passes take at most 1/BYTES_SHARE of the time whatever the number of
// processes. A job pool counts its running jobs here; without one, each check is its own batch.
import fs from 'node:fs';
import { worstCaseCompressed } from '../plan/plan.js';
import { indexHolders, type HoldersIndex } from '../probe/holders-index.js';
import { findHolders } from '../probe/holders.js';
import type { HolderScan } from '../probe/holder.js';
import type { FileFacts } from '../probe/file.js';

/** Without /proc (the BSDs, macOS) lsof is asked per file: there is no index to share. */
const viaProc = fs.existsSync('/proc/self/fd');

/** Files answered by one pass at most: bounds what waiting files hold (their .gz beside them, a few bytes of memory). */
export const BATCH = 4096;
/** A batch waits up to this many times the last pass's duration: passes then take at most 1/SHARE of the run. */
const SHARE = 50;
/** Files whose bytes fill half the pool are answered sooner, but passes still take at most 1/BYTES_SHARE of the run. */
const BYTES_SHARE = 10;
/** ... and at least this long, so that a fast pass does not make batches of one. */
const MIN_WAIT_MS = 20;

interface Waiting {
  dev: number;
  ino: number;
  size: number;
  answer: (scan: HolderScan) => void;
  fail: (err: unknown) => void;
}

let running = 0;
const waiting: Waiting[] = [];
let waitingBytes = 0;
/**
 * The bytes that waiting files may hold before a pass answers them: half of what the pool lets be in
 * flight, so that the other half is still compressing while they are answered and removed. Were they let
 * fill the pool, it would stop taking files, and each batch would drain it: with 300 more processes the
 * SHARE wait outlasted the filling, and 45 of 46 passes came once the pool had drained (20,000 files,
 * node 24: 15.3 s, 14.2 s answered at half; the same without the processes).
 */
let batchBytes = Infinity;
export const passEvery = (bytes: number): void => void (batchBytes = bytes);
let latest: HoldersIndex | undefined;
let lastPassMs = 0;
let lastPassEnd = 0;
let timer: NodeJS.Timeout | undefined;
const wakers: (() => void)[] = [];

const scanOf = (index: HoldersIndex, dev: number, ino: number): HolderScan => ({
  checked: index.checked,
  hidden: index.hidden,
  invisible: index.invisible,
  holders: index.find(dev, ino),
});

function flush(): void {
  clearTimeout(timer);
  timer = undefined;
  const batch = waiting.splice(0);
  waitingBytes = 0;
  if (batch.length === 0) return;
  try {
    const started = performance.now();
    latest = indexHolders();
    lastPassEnd = performance.now();
    lastPassMs = lastPassEnd - started;
    for (const w of batch) w.answer(scanOf(latest, w.dev, w.ino));
  } catch (err) {
    for (const w of batch) w.fail(err);
  }
}

function changed(): void {
  for (const wake of wakers.splice(0)) wake();
  const full = waitingBytes >= batchBytes && performance.now() - lastPassEnd >= BYTES_SHARE * lastPassMs;
  if (waiting.length >= BATCH || full) return flush();
  // After the jobs woken now had their turn: one of them may be about to start, or to arrive here too.
  if (running <= 0 && waiting.length > 0) setImmediate(() => (running <= 0 || waiting.length >= BATCH) && flush());
  timer ??= waiting.length > 0 ? setTimeout(flush, Math.max(MIN_WAIT_MS, SHARE * lastPassMs)) : undefined;
}

/** A job of the pool starts, or ends. */
export function jobStarted(): void {
  running++;
}
export function jobEnded(): void {
  running--;
  changed();
}

/** Resolves once fewer than n jobs are running (those waiting at the gate do not count). */
export async function runningBelow(n: number): Promise<void> {
  while (running >= n) await new Promise<void>((wake) => wakers.push(wake));
}

/**
 * The first look, which refuses a held file before any work: the latest pass, or one made now when there
 * is none yet. It may be old; lastCheck, before the destructive step, is what makes the check sound.
 */
export function firstLook(facts: Pick<FileFacts, 'dev' | 'ino' | 'path'>): HolderScan {
  if (!viaProc) return findHolders(facts.dev, facts.ino, '/proc', facts.path);
  return scanOf((latest ??= indexHolders()), facts.dev, facts.ino);
}

/** Who holds the file open, from a pass over /proc begun after this call. */
export async function lastCheck(facts: Pick<FileFacts, 'dev' | 'ino' | 'path' | 'size'>): Promise<HolderScan> {
  if (!viaProc) return findHolders(facts.dev, facts.ino, '/proc', facts.path);
  return new Promise<HolderScan>((answer, fail) => {
    waiting.push({ dev: facts.dev, ino: facts.ino, size: facts.size, answer, fail });
    waitingBytes += worstCaseCompressed(facts.size); // as the pool counts them
    running--;
    changed();
  }).finally(() => running++);
}
