// The examples and exit codes that end --help and fill the man page's EXAMPLES and EXIT STATUS: one list for both.
import { EXIT } from '../errors.js';

export interface Example {
  command: string;
  does: string;
}

export const EXAMPLES: readonly Example[] = [
  { command: 'cmemgzip -s /var/log/huge.log', does: 'show the plan and the space it would free; change nothing' },
  { command: 'cmemgzip /var/log/huge.log', does: 'replace it with a verified huge.log.gz, even on a full disk' },
  { command: 'cmemgzip --scan /var', does: 'how full each filesystem is, and what to compress there' },
  { command: 'cmemgzip --copytruncate /var/log/app.log', does: 'a log that a process keeps open and writes to' },
  { command: 'cmemgzip -m 64M /srv/dump.sql', does: 'block mode: tail first, memory bounded by the block size' },
  { command: 'cmemgzip --deleted', does: 'deleted files that processes still hold open, with their space' },
];

export const EXIT_CODES: readonly { code: number; meaning: string }[] = [
  { code: EXIT.ok, meaning: 'every operand went well' },
  { code: EXIT.error, meaning: 'an error; nothing is lost: the file is untouched, or the output names what is left and the command that finishes the job' },
  { code: EXIT.warning, meaning: 'warnings only, as gzip: an operand skipped (a directory without -r, a FIFO, an existing .gz without -f), trailing garbage' },
];

/** What --help prints after the options, as a man page would. */
export function helpAfter(): string {
  const width = Math.max(...EXAMPLES.map((e) => e.command.length));
  return [
    '',
    'Examples:',
    ...EXAMPLES.map((e) => `  ${e.command.padEnd(width)}  ${e.does}`),
    '',
    'Exit status:',
    ...EXIT_CODES.map((e) => `  ${e.code}  ${e.meaning}`),
    '',
    'More: man cmemgzip',
  ].join('\n');
}
