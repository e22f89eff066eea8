// Types of the sweep's entry points, for the vitest spec that runs a small spread of it in CI.
export interface Scenario {
  name: string;
}
export interface CaseResult {
  scenario: string;
  cls: string;
  call: string;
  fault: 'EIO' | 'ENOSPC' | 'SIGKILL';
  n: number;
  verdict: 'OK' | 'STRANDED' | 'LOST';
  how: string;
  consented: boolean;
  lostBytes: number;
  left: string[];
  files: string[];
  steps: { what: string; code: number | null; timedOut: boolean; output: string }[];
  id: string;
  command: string;
}
export interface Calibration {
  paths: string[];
  counts: Record<string, number>;
  threads: Record<string, number>;
  ms: number;
}
export const CLI: string;
export interface SweepBench {
  base: string;
  dir: string;
  stash: string;
  file: string;
  close(): void;
}
export function openSweepBench(): SweepBench;
export const SCENARIOS: Scenario[];
export function runSweep(opts: {
  scenarios?: string[];
  spread?: number;
  only?: { classes?: string[]; faults?: string[] };
  jobs?: number;
  keep?: boolean;
}): Promise<{ calibrations: Record<string, Calibration>; results: CaseResult[]; kept: string[] }>;
