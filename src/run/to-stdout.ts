// -c, and the operand - (or none): one input to stdout, compressed or decompressed as it streams.
// The input is never changed or removed; what gzip refuses (binary to or from a terminal) is refused.
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { CmemError, CmemWarning, toCmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import { notRegular } from '../plan/refusals.js';
import { probeFile, type FileFacts } from '../probe/file.js';
import { endAsClosedPipe, isClosedPipe } from '../report/closed-stdout.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { byteReader } from '../steps/byte-reader.js';
import { gunzipMembers, trailingWarning } from '../steps/gunzip-members.js';
import { gzipStream } from '../steps/gzip-stream.js';
import { headerFieldsFor, mtimeOutOfRange, mtimeWarning } from '../steps/header-fields.js';
import { openSource } from '../steps/open-source.js';
import { probeGzOperand } from './gz-operand.js';
import { realPath } from '../fs/raw-names.js';

export const STDIN = '-';

/** The operand's facts; refuses what gzip -c refuses (-f lets a symlink be followed). */
function checkedInput(file: string, opts: Options): FileFacts {
  let facts = opts.decompress ? probeGzOperand(file, opts.suffix) : probeFile(file);
  if (facts.kind === 'symlink' && opts.force) facts = probeFile(realPath(facts.path));
  if (facts.kind === 'missing') throw new CmemError('ENOENT', `${facts.path}: no such file or directory`);
  if (facts.kind === 'symlink') throw new CmemError('SYMLINK', `${facts.path} is a symbolic link; not followed`, 'use -f to follow it');
  // gzip -c compresses a name that has the suffix already: only the file's own .gz name is at stake there.
  if (facts.kind !== 'file') throw notRegular(facts.path, facts.kind);
  return facts;
}

const openInput = (facts: FileFacts): Readable => fs.createReadStream('', { fd: openSource(facts), highWaterMark: 256 * 1024 });

export async function toStdout(file: string, opts: Options, log: Logger): Promise<FileReport> {
  const start = performance.now();
  const name = file === STDIN ? '(stdin)' : file;
  const report: FileReport = { file: name, status: 'failed', output: '(stdout)', timings: {} };
  let input: Readable | undefined;
  try {
    if (!opts.decompress && process.stdout.isTTY && !opts.force)
      throw new CmemError('TERMINAL', 'compressed data not written to a terminal', 'redirect stdout to a file or a pipe, or use -f to force it');
    const facts = file === STDIN ? undefined : checkedInput(file, opts);
    if (facts) report.file = facts.path;
    if (!facts && opts.decompress && process.stdin.isTTY && !opts.force)
      throw new CmemError('TERMINAL', 'compressed data not read from a terminal', 'pipe a .gz in, or use -f to force it');
    input = facts ? openInput(facts) : process.stdin;
    if (opts.decompress) {
      // -f as gzip -cdf (zcat -f): what is not gzip is copied through unchanged.
      const content = await gunzipMembers(byteReader(input), process.stdout, report.file, opts.force);
      Object.assign(report, { status: 'decompressed', originalBytes: content.size, compressedBytes: content.inputBytes });
      report.warning = trailingWarning(report.file, content.trailing, opts.verbose);
    } else {
      const header = facts ? headerFieldsFor(facts, opts) : { mtime: 0, level: opts.level };
      if (facts && mtimeOutOfRange(facts, opts)) report.warning = mtimeWarning(facts.path);
      const done = await gzipStream(input, process.stdout, header);
      Object.assign(report, { status: 'compressed', originalBytes: done.size, compressedBytes: done.compressedBytes });
    }
    report.ratio = (report.compressedBytes ?? 0) / Math.max(1, report.originalBytes ?? 0);
    report.timings.total = Math.round(performance.now() - start);
    log.detail(`${report.file} -> stdout: ${bytes(report.originalBytes ?? 0)} of content, ${bytes(report.compressedBytes ?? 0)} compressed`);
    return report;
  } catch (err) {
    // `cmemgzip -dc big.gz | head`: the reader has all it wanted; the input was only read.
    if (isClosedPipe(err)) endAsClosedPipe();
    report.timings.total = Math.round(performance.now() - start);
    const e = err instanceof CmemWarning ? err : toCmemError(err, report.file);
    return { ...report, ...failedReport(report.file, e, report.timings) };
  } finally {
    if (input !== process.stdin) input?.destroy();
  }
}
