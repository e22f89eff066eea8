// The entry point: parses the command line, runs each operand in turn, and sets the exit code.
import os from 'node:os';
import { exitCodeFor } from '../errors.js';
import { quietOnClosedStdout, stdoutMatters } from '../report/closed-stdout.js';
import { createLogger } from '../report/logger.js';
import { isProcFd } from '../probe/proc-fd.js';
import { compressFile } from '../run/compress-file.js';
import { listDeleted } from '../run/list-deleted.js';
import { freeToTarget } from '../run/free-to-target.js';
import { reclaimDeleted } from '../run/reclaim-deleted.js';
import { reserveCommand } from '../run/reserve-command.js';
import { scan } from '../run/scan.js';
import { installSignalHandlers } from '../run/signals.js';
import { dataOnStdout, runOperands } from '../run/run-operands.js';
import { parseArgs } from './program.js';
import { rawArgs } from './raw-argv.js';

export async function main(argv: readonly string[] = rawArgs(process.argv.slice(2))): Promise<void> {
  // One pool thread per core: more only makes the compressing threads take turns (measured 5-7% slower
  // with 4 threads on 2 cores). libuv reads this when its first task starts the pool.
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(2, os.availableParallelism()));
  quietOnClosedStdout();
  const parsed = parseArgs(argv);
  if (typeof parsed === 'number') {
    process.exitCode = parsed;
    return;
  }
  const { options, files } = parsed;
  const report = options.deleted || options.scan;
  stdoutMatters(report || options.list || options.test || options.simulate || dataOnStdout(options, files));
  const log = createLogger(options, !report && dataOnStdout(options, files) ? process.stderr : process.stdout);
  installSignalHandlers((m) => log.warn(m));
  if (report) {
    process.exitCode = options.deleted ? listDeleted(options.json, log) : scan(files, options.json, options.level, log);
    return;
  }
  if (options.reserve !== undefined) {
    process.exitCode = reserveCommand(files, options.reserve, options, log);
    return;
  }
  if (options.target) {
    process.exitCode = await freeToTarget(files, options, log);
    return;
  }
  const compress = (file: string, jobLog: typeof log) => (isProcFd(file) ? reclaimDeleted(file, options, jobLog) : compressFile(file, options, jobLog));
  process.exitCode = exitCodeFor(await runOperands(files, options, log, compress));
}
