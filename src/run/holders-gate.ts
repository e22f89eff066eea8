// The holder check just before a destructive step, shared by the files that reach it together. Each file
// waits there until one pass over /proc, begun after all of the batch arrived, answers for all of them: a
// process that opened FILE since any earlier look is caught. A pass begins once every running job has
// reached the check or ended, or BATCH files wait, or the first has waited SHARE times the last pass's
// duration, or the waiting files' worst-case .gz fill what the pool set (passEvery) and BYTES_SHARE times
// the last pass went by since it. The timed passes thus take at most 1/BYTES_SHARE of the time next to the
// pass before them, whatever the number of processes (a file that runs alone has a pass of its own). A
// job pool counts its running jobs here; without one, each check is its own batch.
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
/** A batch waits up to this many times the last pass's duration: the timer's passes take at most 1/SHARE of the run. */
const SHARE = 50;
/** ... and at least this long, so that a fast pass does not make batches of one. */
const MIN_WAIT_MS = 20;
/** Files whose bytes fill what the pool set are answered once this many times the last pass (and MIN_WAIT_MS) went by since it. */
const BYTES_SHARE = 10;

interface Waiting {
  dev: number;
  ino: number;
  answer: (scan: HolderScan) => void;
  fail: (err: unknown) => void;
}

let running = 0;
const waiting: Waiting[] = [];
/** The waiting files' worst-case .gz, as the pool counts them (from FILE's size when it was probed). */
let waitingBytes = 0;
/**
 * The bytes of waiting files that bring a pass sooner: the pool sets half of what it lets be in flight, so
 * that the other half is still compressing while they are answered and removed. Were they let fill the
 * pool, it would stop taking files, and each batch would drain it: with 300 more processes the SHARE wait
 * outlasted the filling, and 45 of 46 passes came once the pool had drained (20,000 files, node 24:
 * 15.3 s, 14.2 s answered at half; the same without the processes).
 */
let batchBytes = Infinity;
export const passEvery = (bytes: number): void => void (batchBytes = bytes);
let latest: HoldersIndex | undefined;
let lastPassMs = 0;
let lastPassEnd = 0;
/** When the first file of the batch arrived, and when the timer will make the pass. */
let firstWait: number | undefined;
let timer: { handle: NodeJS.Timeout; at: number } | undefined;
const wakers: (() => void)[] = [];

const scanOf = (index: HoldersIndex, dev: number, ino: number): HolderScan => ({
  checked: index.checked,
  hidden: index.hidden,
  invisible: index.invisible,
  holders: index.find(dev, ino),
});

function flush(): void {
  clearTimeout(timer?.handle);
  timer = firstWait = undefined;
  const batch = waiting.splice(0);
  waitingBytes = 0;
  if (batch.length === 0) return;
  const started = performance.now();
  try {
    latest = indexHolders();
    for (const w of batch) w.answer(scanOf(latest, w.dev, w.ino));
  } catch (err) {
    for (const w of batch) w.fail(err);
  } finally {
    // A pass that failed counts too: else failing passes would come as often as files arrive.
    lastPassEnd = performance.now();
    lastPassMs = lastPassEnd - started;
  }
}

/** Makes the pass at `at` (performance.now() time), unless the timer already makes it sooner. */
function passAt(at: number): void {
  if (timer && timer.at <= at) return;
  clearTimeout(timer?.handle);
  timer = { handle: setTimeout(flush, Math.max(0, at - performance.now())), at };
}

function changed(): void {
  for (const wake of wakers.splice(0)) wake();
  if (waiting.length === 0) return;
  const now = performance.now();
  const byBytes = waitingBytes >= batchBytes ? lastPassEnd + Math.max(MIN_WAIT_MS, BYTES_SHARE * lastPassMs) : Infinity;
  if (waiting.length >= BATCH || byBytes <= now) return flush();
  // After the jobs woken now had their turn: one of them may be about to start, or to arrive here too.
  if (running <= 0) setImmediate(() => (running <= 0 || waiting.length >= BATCH) && flush());
  passAt(Math.min(byBytes, (firstWait ??= now) + Math.max(MIN_WAIT_MS, SHARE * lastPassMs)));
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
    waiting.push({ dev: facts.dev, ino: facts.ino, answer, fail });
    waitingBytes += worstCaseCompressed(facts.size);
    running--;
    changed();
  }).finally(() => running++);
}
