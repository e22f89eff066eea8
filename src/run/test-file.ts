// -t: checks that a .gz decompresses cleanly (every member's CRC-32 and length), changing nothing.
// Trailing zeros pass (a warning with -v) and trailing garbage is a warning (exit 2), as gzip -t has them.
import { CmemError, CmemWarning, toCmemError } from '../errors.js';
import { notRegular } from '../plan/refusals.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { gunzipFile } from '../steps/gunzip-file.js';
import { byteReader } from '../steps/byte-reader.js';
import { gunzipMembers, trailingWarning } from '../steps/gunzip-members.js';
import { probeGzOperand } from './gz-operand.js';
import { STDIN } from './to-stdout.js';

export async function testFile(file: string, log: Logger, suffix = '.gz', verbose = false): Promise<FileReport> {
  const start = performance.now();
  const timings = () => ({ total: Math.round(performance.now() - start) });
  const facts = file === STDIN ? undefined : probeGzOperand(file, suffix);
  const name = facts?.path ?? '(stdin)';
  try {
    if (facts?.kind === 'missing') throw new CmemError('ENOENT', `${name}: no such file or directory`);
    if (facts && facts.kind !== 'file') throw notRegular(name, facts.kind);
    const content = facts ? await gunzipFile(facts) : await gunzipMembers(byteReader(process.stdin), undefined, name);
    const report: FileReport = { file: name, status: 'tested', originalBytes: content.size, compressedBytes: content.inputBytes, members: content.members.length, timings: timings() };
    report.warning = trailingWarning(name, content.trailing, verbose);
    if (!report.warning) log.success(`${name}: OK, ${bytes(content.size)} of content in ${content.members.length} member(s)`);
    return report;
  } catch (err) {
    return failedReport(name, err instanceof CmemWarning ? err : toCmemError(err, name), timings());
  }
}
