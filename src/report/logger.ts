// Human output: timestamped lines on stdout, warnings and errors on stderr; quiet and JSON modes mute it.
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import { shown } from '../fs/raw-names.js';

export interface Logger {
  /** A step or a fact, shown by default. */
  info(message: string): void;
  /** Detail for -v. */
  detail(message: string): void;
  /** A highlighted outcome line. */
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  readonly chalk: ChalkInstance;
  /** Whether info and success lines are shown: a line that costs a probe to make is not made for nothing. */
  readonly chatty: boolean;
}

export interface LoggerOptions {
  quiet: boolean;
  verbose: boolean;
  json: boolean;
  color: boolean;
}

function stamp(): string {
  const d = new Date();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export function createLogger(opts: LoggerOptions, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Logger {
  const c = new Chalk({ level: opts.color ? chalk.level : 0 });
  const chatty = !opts.quiet && !opts.json;
  const line = (stream: NodeJS.WritableStream, text: string) => stream.write(`${c.dim(stamp())} ${shown(text)}\n`);
  return {
    chalk: c,
    chatty,
    info: (m) => chatty && line(out, m),
    detail: (m) => chatty && opts.verbose && line(out, c.dim(m)),
    success: (m) => chatty && line(out, c.green(m)),
    warn: (m) => !opts.quiet && line(err, c.yellow(`warning: ${m}`)),
    error: (m) => line(err, c.red(`error: ${m}`)),
  };
}
