// Prints one operand's outcome: a JSON line on stdout with --json, else human lines.
import type { FileReport } from './file-report.js';
import type { Logger } from './logger.js';
import { withNameBytes } from '../fs/raw-names.js';

export function printReport(report: FileReport, json: boolean, log: Logger): void {
  if (json) process.stdout.write(`${JSON.stringify(withNameBytes(report))}\n`);
  if (report.warning) log.warn(report.warning.message);
  if (report.error) {
    log.error(report.error.message);
    if (report.error.hint) log.error(`  what to do: ${report.error.hint}`);
  }
  for (const left of report.leftovers ?? [])
    log.error(`  left on purpose ${left.ram ? 'in RAM (a reboot or power cut empties it)' : 'on disk'}: ${left.path}; finish with: ${left.command}`);
}
