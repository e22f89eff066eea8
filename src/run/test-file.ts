// -t: checks that a .gz decompresses cleanly (every member's CRC-32 and length), changing nothing.
import { CmemError, toCmemError } from '../errors.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes } from '../report/format.js';
import type { Logger } from '../report/logger.js';
import { testGzip } from '../steps/test-gzip.js';
import { probeFile } from '../probe/file.js';
import fs from 'node:fs';

export async function testFile(file: string, log: Logger): Promise<FileReport> {
  const start = performance.now();
  const timings = () => ({ total: Math.round(performance.now() - start) });
  const facts = probeFile(file);
  try {
    if (facts.kind === 'missing') throw new CmemError('ENOENT', `${facts.path}: no such file or directory`);
    if (facts.kind !== 'file') throw new CmemError('NOT_REGULAR', `${facts.path} is not a regular file; ignored`);
    const content = await testGzip(facts.path);
    log.success(`${facts.path}: OK, ${bytes(content.size)} of content`);
    return { file: facts.path, status: 'tested', originalBytes: content.size, compressedBytes: fs.statSync(facts.path).size, timings: timings() };
  } catch (err) {
    return failedReport(facts.path, toCmemError(err, facts.path), timings());
  }
}
