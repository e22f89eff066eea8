// Tells a log from the other large files under /var (a stopped database's file, a VM image, a binary, zeros):
// --until and --free take logs only, unless --any-file; a log has a log's name, or its first bytes are text.

/** *.log, *.log.N, *.out, syslog, messages (and their rotated .N). */
const LOG_NAME = /(\.log(\.\d+)?|\.out(\.\d+)?)$|^(syslog|messages)(\.\d+)?$/;

/** How much of the head judges whether a file is text: one read, as the sample for the estimate is. */
export const TEXT_SAMPLE = 64 * 1024;

/** Text as logs are: no NUL byte, and at most 1 in 20 bytes a control character other than tab, CR, LF, ESC, FF. */
export function isText(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  let control = 0;
  for (const b of head) if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x1b && b !== 0x0c) control++;
  return control * 20 <= head.length;
}

export const NOT_A_LOG = "not a log (neither a log's name, *.log, *.log.N, *.out, syslog, messages, nor text): --any-file takes it";

/** Why --until passes the file over as no log, or undefined when it is one. */
export const notALog = (base: string, textHead: boolean): string | undefined => (LOG_NAME.test(base) || textHead ? undefined : NOT_A_LOG);
