// Holds the operand's folder (and -o's) open by descriptor for the whole job, so that every create,
// rename and unlink lands in the folder that was checked, whatever its path is swapped for meanwhile.
import fs from 'node:fs';
import path from 'node:path';
import { toCmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { withPinned } from '../fs/pinned-folders.js';
import { fsPath } from '../fs/raw-names.js';

const isDirectory = (p: string) => fs.statSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory() ?? false;

export function operandFolders(file: string, opts: Pick<Options, 'output'>): string[] {
  const dirs = [path.dirname(path.resolve(file))];
  if (opts.output) dirs.push(isDirectory(opts.output) ? path.resolve(opts.output) : path.dirname(path.resolve(opts.output)));
  return dirs.filter(isDirectory);
}

export async function inOperandFolders(file: string, opts: Pick<Options, 'output'>, job: () => Promise<FileReport>): Promise<FileReport> {
  try {
    return await withPinned(operandFolders(file, opts), job);
  } catch (err) {
    return failedReport(path.resolve(file), toCmemError(err, file), {});
  }
}
