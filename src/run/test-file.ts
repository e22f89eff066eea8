// -t: checks that a .gz decompresses cleanly (every member's CRC-32 and length), changing nothing.
// Trailing zeros pass and trailing garbage is a warning (exit 2), as gzip -t has them.
import { CmemError, toCmemError } from '../errors.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes } from '../report/format.js';
import type { Logger } from '../report/logger.js';
import { gunzipFile } from '../steps/gunzip-file.js';
import { probeGzOperand } from './gz-operand.js';

export async function testFile(file: string, log: Logger, suffix = '.gz'): Promise<FileReport> {
  const start = performance.now();
  const timings = () => ({ total: Math.round(performance.now() - start) });
  const facts = probeGzOperand(file, suffix);
  try {
    if (facts.kind === 'missing') throw new CmemError('ENOENT', `${facts.path}: no such file or directory`);
    if (facts.kind !== 'file') throw new CmemError('NOT_REGULAR', `${facts.path} is not a regular file; ignored`);
    const content = await gunzipFile(facts);
    const report: FileReport = { file: facts.path, status: 'tested', originalBytes: content.size, compressedBytes: facts.size, timings: timings() };
    if (content.trailing === 'garbage') report.warning = { code: 'TRAILING_GARBAGE', message: `${facts.path}: decompression OK, trailing garbage ignored` };
    else log.success(`${facts.path}: OK, ${bytes(content.size)} of content in ${content.members.length} member(s)`);
    return report;
  } catch (err) {
    return failedReport(facts.path, toCmemError(err, facts.path), timings());
  }
}
