// A reader that goes away (`| head`) ends our output quietly, as it ends gzip's: no stack trace, no error line.
import { EXIT } from '../errors.js';

/**
 * Whether stdout is all this run is for (help, --version, -c, -l, --scan...): then a closed stdout ends
 * the run, as SIGPIPE ends gzip. A run that changes files carries on without its report instead, since
 * stopping midway would leave a job for a rerun to finish.
 */
let stdoutIsTheJob = true;

export function stdoutMatters(isTheJob: boolean): void {
  stdoutIsTheJob = isTheJob;
}

export const isClosedPipe = (err: unknown): boolean => (err as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';

/**
 * Dies of SIGPIPE, as gzip does, so that the shell sees 141 and `set -o pipefail` works as with gzip.
 * Node ignores SIGPIPE; a listener added and removed puts back the default action (death) first.
 */
export function endAsClosedPipe(): void {
  const listener = () => {};
  process.on('SIGPIPE', listener);
  process.off('SIGPIPE', listener);
  process.kill(process.pid, 'SIGPIPE');
}

/**
 * Installed first thing, before --help can print: what a failed write to stdout does. Any other failure
 * (ENOSPC: `--help > /dev/full`) fails the run with a message, as gzip's "write error" does.
 */
export function quietOnClosedStdout(): void {
  process.stdout.on('error', (err) => {
    // A run that changes files loses its output, not its work: later writes fail the same way and land here.
    if (!stdoutIsTheJob) return;
    if (isClosedPipe(err)) endAsClosedPipe();
    process.stderr.write(`cmemgzip: stdout: ${err.message}\n`);
    process.exit(EXIT.error);
  });
}
