// The options a run is planned and executed with, as parsed from the command line.

export interface Options {
  keep: boolean;
  force: boolean;
  level: number;
  suffix: string;
  output?: string;
  stash?: string;
  noStash: boolean;
  /** Refuse strategy 3 (in place with no stash copy). */
  safe: boolean;
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  color: boolean;
  yes: boolean;
  simulate: boolean;
  test: boolean;
  resume: boolean;
  memory?: number;
}

export const DEFAULT_OPTIONS: Options = {
  keep: false,
  force: false,
  level: 6,
  suffix: '.gz',
  noStash: false,
  safe: false,
  quiet: false,
  verbose: false,
  json: false,
  color: true,
  yes: false,
  simulate: false,
  test: false,
  resume: false,
};
