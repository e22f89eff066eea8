// What happened to one operand: the record behind both the human summary and the --json object.
import { CmemError, CmemWarning, type Outcome } from '../errors.js';
import type { Plan } from '../plan/plan.js';

export type Status = 'compressed' | 'resumed' | 'simulated' | 'tested' | 'skipped' | 'failed';

export interface FileReport {
  file: string;
  status: Status;
  output?: string;
  strategy?: Plan['strategy'];
  reason?: string;
  originalBytes?: number;
  compressedBytes?: number;
  /** compressed / original, as gzip -l shows it inverted ("saved"). */
  ratio?: number;
  freedBytes?: number;
  window?: boolean;
  stash?: string;
  timings: Record<string, number>;
  warning?: { code: string; message: string };
  error?: { code: string; message: string; hint?: string };
  /** Files a failure left behind on purpose, each with the command that finishes or undoes the job. */
  leftovers?: { path: string; command: string }[];
}

export function outcomeOf(report: FileReport): Outcome {
  if (report.status === 'failed') return 'error';
  if (report.status === 'skipped') return 'warning';
  return 'ok';
}

export function failedReport(file: string, err: CmemError | CmemWarning, timings: Record<string, number>): FileReport {
  if (err instanceof CmemWarning) return { file, status: 'skipped', timings, warning: { code: err.code, message: err.message } };
  return { file, status: 'failed', timings, error: { code: err.code, message: err.message, hint: err.hint } };
}
