// -l: gzip's table of compressed and uncompressed sizes, ratio and name, one row per .gz as it is
// read. Each file is decompressed to nowhere, so members are summed and damage is found; with --json,
// one object per file instead.
import { CmemError, CmemWarning, toCmemError, type Outcome } from '../errors.js';
import { notRegular } from '../plan/refusals.js';
import type { Options } from '../plan/options.js';
import type { FileFacts } from '../probe/file.js';
import { failedReport, outcomeOf, type FileReport } from '../report/file-report.js';
import { listFootnote, listHeader, listRow, listTotals, type ListRow } from '../report/gzip-list.js';
import type { Logger } from '../report/logger.js';
import { printReport } from '../report/print-report.js';
import { byteReader } from '../steps/byte-reader.js';
import { gunzipFile } from '../steps/gunzip-file.js';
import { gunzipMembers, trailingWarning, type Gunzipped } from '../steps/gunzip-members.js';
import { safeHeaderName, strippedName } from './decompress-path.js';
import { probeGzOperand } from './gz-operand.js';
import { STDIN } from './to-stdout.js';
import { shown as shownName } from '../fs/raw-names.js';

function rowOf(facts: FileFacts | undefined, content: Gunzipped, opts: Options): ListRow {
  const first = content.members[0];
  const last = content.members[content.members.length - 1];
  const named = opts.name === true ? safeHeaderName(first.name) : undefined;
  const name = named ?? (facts ? strippedName(facts.base, opts.suffix) ?? facts.base : 'stdout');
  // gzip -lv shows the .gz's own mtime, the stored one only with -N (and only when it is set).
  const mtime = opts.name === true && first.mtime > 0 ? first.mtime : (facts?.mtimeMs ?? Date.now()) / 1000;
  return {
    compressed: facts ? facts.size : content.inputBytes,
    uncompressed: content.size,
    headerBytes: first.format ? 0 : first.headerLength + 8,
    method: first.format === 'lzw' ? 'compr' : first.format === 'pack' ? 'pack ' : 'defla',
    crc: content.crc,
    mtime,
    name,
    members: content.members.length,
    lastTrailerSize: last.size % 2 ** 32,
  };
}

async function listOne(file: string, opts: Options): Promise<{ report: FileReport; row?: ListRow }> {
  const facts = file === STDIN ? undefined : probeGzOperand(file, opts.suffix);
  const shown = facts?.path ?? '(stdin)';
  try {
    if (facts?.kind === 'missing') throw new CmemError('ENOENT', `${facts.path}: no such file or directory`);
    if (facts && facts.kind !== 'file') throw notRegular(facts.path, facts.kind);
    const content = facts ? await gunzipFile(facts) : await gunzipMembers(byteReader(process.stdin), undefined, shown);
    const row = rowOf(facts, content, opts);
    const report: FileReport = { file: shown, status: 'listed', output: row.name, originalBytes: row.uncompressed, compressedBytes: row.compressed, ratio: row.compressed / Math.max(1, row.uncompressed), members: row.members, timings: {} };
    report.warning = trailingWarning(shown, content.trailing, opts.verbose);
    return { report, row };
  } catch (err) {
    return { report: failedReport(shown, err instanceof CmemWarning ? err : toCmemError(err, shown), {}) };
  }
}

export async function listFiles(files: readonly string[], opts: Options, log: Logger): Promise<Outcome[]> {
  const print = (line: string) => process.stdout.write(`${shownName(line)}\n`);
  const rows: ListRow[] = [];
  const notes: string[] = [];
  const outcomes: Outcome[] = [];
  for (const file of files) {
    const { report, row } = await listOne(file, opts);
    outcomes.push(outcomeOf(report));
    if (opts.json || !row) {
      printReport(report, opts.json, log);
      continue;
    }
    if (rows.length === 0 && !opts.quiet) print(listHeader(opts.verbose));
    rows.push(row);
    print(listRow(row, opts.verbose));
    const note = listFootnote(row, file);
    if (note) notes.push(note);
    if (report.warning) log.warn(report.warning.message);
  }
  if (files.length > 1 && rows.length > 0 && !opts.quiet) print(listTotals(rows, opts.verbose));
  for (const note of notes) print(note);
  return outcomes;
}
