// The options a run is planned and executed with, as parsed from the command line.

/** --until PCT: at most that fraction of the filesystem used; --free SIZE: at least that many bytes free. */
export type Target = { kind: 'until'; usedFraction: number } | { kind: 'free'; bytes: number };

export interface Options {
  keep: boolean;
  force: boolean;
  level: number;
  suffix: string;
  output?: string;
  stash?: string;
  noStash: boolean;
  /** No loss window of either kind: refuse strategy 3, and a safety copy in RAM unless allowRamStash. */
  safe: boolean;
  /** With safe: accept a safety copy in RAM (it survives a kill -9, not a power cut). */
  allowRamStash: boolean;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  color: boolean;
  yes: boolean;
  simulate: boolean;
  test: boolean;
  resume: boolean;
  memory?: number;
  /** Compress a copy, then truncate FILE in place: for files a process keeps writing to. */
  copytruncate: boolean;
  /** Remove or rewrite FILE although some processes could not be inspected (not root, hidepid). */
  assumeUnheld: boolean;
  /** List deleted files still held open, instead of compressing. */
  deleted: boolean;
  /** Report on the operands' filesystems (read-only), instead of compressing. */
  scan: boolean;
  /** -d: decompress instead. */
  decompress: boolean;
  /** -c: write to stdout and keep the input. */
  stdout: boolean;
  /** -l: list each .gz's sizes. */
  list: boolean;
  /** -r: operands that are folders are walked. */
  recursive: boolean;
  /** -N true, -n false; unset means gzip's default: store the name and mtime, restore neither. */
  name?: boolean;
  /** --until / --free: choose files under the operands (folders, or files) and compress until this is met. */
  target?: Target;
  /** With a target: also take the active log of a rotated set (app.log beside app.log.1). */
  includeActive: boolean;
  /** With --until: act only when df's Use% is above this (a guard run from a timer); no window unless yes. */
  above?: number;
  /** --reserve SIZE DIR: make, resize or (0) remove the reserve on DIR's filesystem, instead of compressing. */
  reserve?: number;
  /** With --until/--free: take any large file below the folders, not only logs. */
  anyFile: boolean;
}

export const DEFAULT_OPTIONS: Options = {
  keep: false,
  force: false,
  level: 6,
  suffix: '.gz',
  noStash: false,
  safe: false,
  allowRamStash: false,
  quiet: false,
  verbose: false,
  json: false,
  color: true,
  yes: false,
  simulate: false,
  test: false,
  resume: false,
  copytruncate: false,
  assumeUnheld: false,
  deleted: false,
  scan: false,
  decompress: false,
  stdout: false,
  list: false,
  recursive: false,
  includeActive: false,
  anyFile: false,
};
