// -d: one .gz to its content beside it (or into -o), with the care compression takes. A first pass
// decompresses to nowhere: it checks every member and measures the content exactly (the trailers'
// lengths are modulo 4 GiB and may lie), so that a damaged file or a disk without room is refused
// before a byte is written, and the disk is never filled to find out. The second pass writes a
// private temporary, which is fsynced, read back and checked, then renamed; the .gz goes last.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, CmemWarning, toCmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import { RESERVE, roundUp } from '../plan/plan.js';
import type { FileFacts } from '../probe/file.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes, duration, shortBytes } from '../text/format.js';
import { gzipVerboseLine } from '../report/gzip-verbose.js';
import type { Logger } from '../report/logger.js';
import { checksumFile } from '../steps/checksum-file.js';
import { fdWritable } from '../steps/fd-writable.js';
import { freeOriginal } from '../steps/free-original.js';
import { gunzipFile } from '../steps/gunzip-file.js';
import { trailingWarning, type Gunzipped } from '../steps/gunzip-members.js';
import { tempPathFor, writeBesideWith } from '../steps/write-beside.js';
import { shellQuote } from '../text/shell-quote.js';
import { decompressedPath, safeHeaderName, strippedName } from './decompress-path.js';
import { decompressRefusal } from './decompress-refusal.js';
import { probeGzOperand } from './gz-operand.js';
import { exists } from './output-path.js';
import { critical, removeOnInterrupt } from './signals.js';
import { at } from '../fs/pinned-folders.js';
import { ownedLike } from './recover.js';
import { fsPath } from '../fs/raw-names.js';

/** The output's base name: the .gz's name without its suffix, or with -N the header's, made safe. */
function outputName(gz: FileFacts, content: Gunzipped, opts: Options, log: Logger): string {
  const stripped = strippedName(gz.base, opts.suffix)!;
  const stored = content.members[0].name;
  if (opts.name !== true || stored === undefined) return stripped;
  const safe = safeHeaderName(stored);
  if (safe === undefined)
    throw new CmemError('BAD_GZIP', `${gz.path}: the stored name ${JSON.stringify(stored)} cannot name a file; left as it is`, 'decompress without -N: the output is then named after the .gz');
  if (safe !== stored) log.warn(`${gz.path}: the stored name ${JSON.stringify(stored)} has a path; using only ${safe}, beside the .gz`);
  return safe;
}

function assertRoom(gz: FileFacts, content: Gunzipped, outputPath: string, log: Logger): void {
  const outFs = probeFilesystem(path.dirname(outputPath));
  const needed = roundUp(content.size, outFs.blockSize) + RESERVE;
  log.info(`room on ${outFs.mountPoint} (${outFs.type}): ${bytes(outFs.freeBytes)} free, ${bytes(needed)} needed (content and a ${shortBytes(RESERVE)} reserve)`);
  const noInode = outFs.totalInodes > 0 && outFs.freeInodes === 0;
  if (outFs.freeBytes >= needed && !noInode) return;
  const elsewhere = `or decompress onto another filesystem: cmemgzip -d -o DIR ${shellQuote(gz.path)} (or -dc > DIR/NAME)`;
  if (noInode) throw new CmemError('NO_SPACE', `no free inode on ${outFs.mountPoint} for ${outputPath}`, `remove some files there, ${elsewhere}`);
  throw new CmemError(
    'NO_SPACE',
    `not enough room to decompress ${gz.path}: its content is ${bytes(content.size)}, ${outFs.mountPoint} has ${bytes(outFs.freeBytes)} free and needs ${bytes(needed)}`,
    `free ${shortBytes(needed - outFs.freeBytes)} more on ${outFs.mountPoint}, ${elsewhere}; the .gz was left as it is`,
  );
}

const isDir = (p: string) => fs.statSync(fsPath(p), { throwIfNoEntry: false })?.isDirectory() ?? false;

/** The output beside a .gz already holds exactly its content: remove the .gz, as the run would have. */
async function finishedBeside(gz: FileFacts, outputPath: string, log: Logger): Promise<boolean> {
  const out = fs.lstatSync(at(outputPath), { throwIfNoEntry: false });
  if (!out?.isFile() || gz.kind !== 'file' || !ownedLike(out, gz)) return false;
  const content = await gunzipFile(gz).catch(() => undefined);
  const got = content && content.size === out.size ? checksumFile(outputPath) : undefined;
  if (!content || !got || got.crc !== content.crc) return false;
  log.warn(`${outputPath} already holds exactly the content of ${gz.path} (an earlier run stopped before removing it); removing ${gz.path}`);
  await critical(() => freeOriginal(gz));
  return true;
}

function assertNoOutput(outputPath: string, opts: Options): void {
  const existing = fs.lstatSync(fsPath(outputPath), { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw new CmemError('NOT_REGULAR', `${outputPath} is a directory; not overwritten`);
  if (existing && !opts.force) throw new CmemWarning('OUTPUT_EXISTS', `${outputPath} already exists; not overwritten (use -f)`);
}

async function writeOutput(gz: FileFacts, content: Gunzipped, outputPath: string, mtimeMs: number): Promise<void> {
  let release: (() => void) | undefined;
  const fill = async (fd: number) => {
    const again = await gunzipFile(gz, fdWritable(fd));
    if (again.size !== content.size || again.crc !== content.crc)
      throw new CmemError('CHANGED', `${gz.path} changed between the check and the write; left as it is`, 'run cmemgzip -d again');
  };
  const verify = async (temp: string) => {
    const got = checksumFile(temp);
    if (got.size !== content.size || got.crc !== content.crc)
      throw new CmemError('VERIFY_FAILED', `verification of ${temp} failed: ${got.size} bytes read back, ${content.size} written`, 'the .gz was kept; check the disk (dmesg) and retry');
  };
  await writeBesideWith(outputPath, fill, { ...gz, mtimeMs }, verify, (temp) => {
    release?.();
    release = temp ? removeOnInterrupt(temp) : undefined;
  });
}

export async function decompressFile(file: string, opts: Options, log: Logger): Promise<FileReport> {
  const start = performance.now();
  const timings: Record<string, number> = {};
  const gz = probeGzOperand(file, opts.suffix);
  const report: FileReport = { file: gz.path, status: 'failed', timings };
  try {
    const refused = decompressRefusal(gz, opts);
    if (refused) throw refused;
    // Without -N the name is known already: an existing output is refused before any reading, as gzip does,
    // unless it already holds exactly this content (a run stopped between its rename and the unlink): then finish.
    if (opts.name !== true) {
      const known = decompressedPath(gz.path, strippedName(gz.base, opts.suffix)!, opts.output, isDir);
      const finished = !opts.keep && !opts.force && !opts.simulate ? await finishedBeside(gz, known, log) : false;
      if (finished) return { ...report, status: 'resumed', output: known, timings: { total: Math.round(performance.now() - start) } };
      assertNoOutput(known, opts);
    }
    const content = await gunzipFile(gz);
    timings.check = Math.round(performance.now() - start);
    const members = content.members.length;
    log.info(`${gz.path}: ${bytes(gz.size)} holding ${bytes(content.size)} in ${members} member${members > 1 ? 's' : ''}, every CRC-32 and length checked`);
    const outputPath = decompressedPath(gz.path, outputName(gz, content, opts, log), opts.output, isDir);
    Object.assign(report, { output: outputPath, originalBytes: content.size, compressedBytes: gz.size, ratio: gz.size / Math.max(1, content.size) });
    report.warning = trailingWarning(gz.path, content.trailing, opts.verbose);
    if (outputPath === gz.path) throw new CmemError('BAD_OPTION', `${gz.path} would decompress onto itself; left as it is`, 'use -o to name another output');
    assertNoOutput(outputPath, opts);
    const temp = tempPathFor(outputPath);
    if (exists(temp)) {
      // The .gz is only removed after the rename, so a temporary is never the only copy of anything.
      fs.rmSync(at(temp), { force: true });
      log.warn(`removed ${temp}, an unfinished temporary of an interrupted run`);
    }
    assertRoom(gz, content, outputPath, log);
    if (opts.simulate) {
      log.success(`simulation only: would write ${outputPath} (${bytes(content.size)}); nothing was written`);
      return { ...report, status: 'simulated' };
    }
    const stamp = opts.name === true && content.members[0].mtime > 0 ? content.members[0].mtime * 1000 : gz.mtimeMs;
    await writeOutput(gz, content, outputPath, stamp);
    log.info(`wrote ${outputPath} (temporary first, mode 0600, fsync), read it back: ${bytes(content.size)}, CRC-32 matches`);
    report.freedBytes = -content.size;
    if (!opts.keep) {
      await critical(() => freeOriginal(gz));
      report.freedBytes += gz.size;
      log.info(`removed ${gz.path}`);
    }
    timings.total = Math.round(performance.now() - start);
    log.success(`${gz.path} -> ${outputPath}: ${bytes(gz.size)} -> ${bytes(content.size)} in ${duration(timings.total)}`);
    log.detail(gzipVerboseLine(gz.path, outputPath, content.size, gz.size, opts.keep));
    return { ...report, status: 'decompressed' };
  } catch (err) {
    timings.total = Math.round(performance.now() - start);
    const e = err instanceof CmemWarning ? err : toCmemError(err, gz.path);
    const noRoom = e.code === 'NO_SPACE' && !(err instanceof CmemError);
    const failed = noRoom
      ? new CmemError('NO_SPACE', `${gz.path}: the disk filled up while the output was written (something else took the room); the partial output was removed`, 'the .gz was left as it is; free space and retry')
      : e;
    return { ...report, ...failedReport(gz.path, failed, timings) };
  }
}
