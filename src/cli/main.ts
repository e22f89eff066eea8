// The entry point: parses the command line, runs each operand in turn, and sets the exit code.
import os from 'node:os';
import { exitCodeFor, type Outcome } from '../errors.js';
import { outcomeOf } from '../report/file-report.js';
import { createLogger } from '../report/logger.js';
import { printReport } from '../report/print-report.js';
import { compressFile } from '../run/compress-file.js';
import { installSignalHandlers } from '../run/signals.js';
import { testFile } from '../run/test-file.js';
import { parseArgs } from './program.js';

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  // Every core compresses: libuv's pool is sized before the first task starts it.
  process.env.UV_THREADPOOL_SIZE ??= String(Math.max(4, os.availableParallelism()));
  const parsed = parseArgs(argv);
  if (typeof parsed === 'number') {
    process.exitCode = parsed;
    return;
  }
  const { options, files } = parsed;
  const log = createLogger(options);
  installSignalHandlers((m) => log.warn(m));
  if (files.length === 0) {
    log.error('no file given; see cmemgzip --help');
    process.exitCode = 1;
    return;
  }
  const outcomes: Outcome[] = [];
  for (const file of files) {
    const report = options.test ? await testFile(file, log) : await compressFile(file, options, log);
    printReport(report, options.json, log);
    outcomes.push(outcomeOf(report));
  }
  process.exitCode = exitCodeFor(outcomes);
}
