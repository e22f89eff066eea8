// What happened to one operand: the record behind both the human summary and the --json object.
import { CmemError, CmemWarning, UNCOUNTED_WARNINGS, type Outcome } from '../errors.js';
import type { LossWindows } from '../plan/loss-windows.js';
import type { Plan } from '../plan/plan.js';
import type { HolderCheckJson } from '../plan/unseen-holders.js';
import type { StepJson } from './steps-taken.js';

export type Status =
  | 'compressed'
  | 'decompressed'
  | 'resumed'
  | 'simulated'
  | 'tested'
  | 'listed'
  /** -r passed it over on purpose (already compressed, a symlink, a special file): no warning. */
  | 'ignored'
  | 'skipped'
  | 'failed';

export interface FileReport {
  file: string;
  status: Status;
  output?: string;
  strategy?: Plan['strategy'] | 'blocks' | 'resume';
  reason?: string;
  originalBytes?: number;
  compressedBytes?: number;
  /** compressed / original, as gzip -l shows it inverted ("saved"). */
  ratio?: number;
  freedBytes?: number;
  /** The memory the plan counted on, and the limit that set it (MemAvailable, or a cgroup's). */
  memory?: { availableBytes: number; limitedBy: string };
  window?: boolean;
  /** What a kill -9 and what a power cut could lose, as the plan saw it before acting. */
  windows?: LossWindows;
  /** The plan's steps in order, each with where copies of FILE's bytes are meanwhile; a run adds each step's milliseconds. */
  steps?: StepJson[];
  stash?: string;
  /** Room lent by the reserve on FILE's filesystem for the .gz beside, and what was grown back after. */
  reserve?: { path: string; lentBytes: number; grownBackBytes?: number };
  timings: Record<string, number>;
  /** Present when some processes could not be inspected for holders of FILE (not root, hidepid). */
  holderCheck?: HolderCheckJson;
  warning?: { code: string; message: string };
  error?: { code: string; message: string; hint?: string };
  /** Files a failure left behind on purpose, each with the command that finishes or undoes the job (ram: on a RAM-backed filesystem). */
  leftovers?: { path: string; command: string; ram?: boolean }[];
  /** --simulate on a file an interrupted run left: the record a rerun acts on, and where the bytes are now. */
  resume?: { record: string; now: string };
  /** Records of interrupted jobs this run did not finish, each with what to do (on the run's last report). */
  strayRecords?: { record: string; name: string; createdAt: string; advice: string }[];
  /** -d, -t, -l: gzip members in the .gz (concatenated files, pigz, block mode have several). */
  members?: number;
  /** --copytruncate: bytes caught after the first read, in how many extra members, and bytes seen lost at the truncation. */
  copytruncate?: { caughtBytes: number; rounds: number; lostAtLeastBytes: number };
}

export function outcomeOf(report: FileReport): Outcome {
  if (report.status === 'failed') return 'error';
  if (report.warning && (UNCOUNTED_WARNINGS as readonly string[]).includes(report.warning.code)) return 'ok';
  // A warning on a finished job too: gzip's "decompression OK, trailing garbage ignored" exits 2.
  if (report.status === 'skipped' || report.warning) return 'warning';
  return 'ok';
}

export function failedReport(file: string, err: CmemError | CmemWarning, timings: Record<string, number>): FileReport {
  if (err instanceof CmemWarning) return { file, status: 'skipped', timings, warning: { code: err.code, message: err.message } };
  return { file, status: 'failed', timings, error: { code: err.code, message: err.message, hint: err.hint } };
}
