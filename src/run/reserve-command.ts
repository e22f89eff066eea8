// --reserve SIZE DIR: makes the reserve on DIR's filesystem (DIR/.cmemgzip-reserve), resizes it, or with 0
// removes it; its record in the state folder follows, so that runs and --scan find it.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, EXIT, toCmemError } from '../errors.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { fsPath, withNameBytes } from '../fs/raw-names.js';
import { failedReport } from '../report/file-report.js';
import { bytes, shortBytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { printReport } from '../report/print-report.js';
import type { Options } from '../plan/options.js';
import { createReserve, growReserve, insecureParent, openReserve, removeReserve, reservePath, shrinkReserve, sizeOf } from '../steps/reserve-file.js';
import { recordReserve } from '../steps/reserve-record.js';
import { closeJudged } from '../steps/write-chunks.js';

/** Sets the reserve in dir to size; returns what is there now (0 when removed). */
function setSize(dir: string, size: number): { file: string; size: number; allocated: number } {
  const bad = insecureParent(dir);
  if (bad) throw bad;
  const file = reservePath(dir);
  const existing = openReserve(file);
  if (size === 0) {
    if (existing !== undefined) {
      closeJudged(existing);
      removeReserve(file);
    }
    recordReserve({ path: file, ino: 0, size: 0 });
    return { file, size: 0, allocated: 0 };
  }
  const fd = existing ?? createReserve(file);
  try {
    const before = sizeOf(fd);
    const free = probeFilesystem(dir).freeBytes;
    if (size - before > free) throw new CmemError('NO_SPACE', `no room for a reserve of ${bytes(size)} in ${dir}: ${bytes(free)} free${before > 0 ? `, and it holds ${bytes(before)} already` : ''}`, 'free some space first (cmemgzip --until), or ask for less');
    if (size < before) shrinkReserve(fd, size);
    else growReserve(fd, size);
    const st = fs.fstatSync(fd);
    recordReserve({ path: file, ino: st.ino, size });
    return { file, size: st.size, allocated: st.blocks * 512 };
  } catch (err) {
    if (existing === undefined) removeReserve(file);
    throw err;
  } finally {
    closeJudged(fd);
  }
}

/** --simulate: what is there now and what would be set, changing nothing. */
function simulateSize(dir: string, size: number): { file: string; size: number; allocated: number } {
  const bad = insecureParent(dir);
  if (bad) throw bad;
  const file = reservePath(dir);
  const st = fs.lstatSync(fsPath(file), { throwIfNoEntry: false });
  return { file, size, allocated: st?.isFile() ? st.blocks * 512 : 0 };
}

export function reserveCommand(operands: readonly string[], size: number, opts: Pick<Options, 'json' | 'simulate' | 'target'>, log: Logger): number {
  const { json } = opts;
  const dir = path.resolve(operands[0] ?? '');
  try {
    if (operands.length !== 1) throw new CmemError('BAD_OPTION', `--reserve takes one folder, ${operands.length} given`, 'cmemgzip --reserve SIZE DIR (0 removes it)');
    if (opts.target) throw new CmemError('BAD_OPTION', '--reserve does not go with --until or --free', 'set the reserve first, then run the target');
    if (!fs.existsSync(fsPath(dir))) throw new CmemError('ENOENT', `${dir}: no such folder`);
    if (opts.simulate) {
      const would = simulateSize(dir, size);
      if (json) process.stdout.write(`${JSON.stringify(withNameBytes({ reserve: would.file, status: 'planned', sizeBytes: size, allocatedBytes: would.allocated }))}\n`);
      log.success(`simulation only: the reserve ${would.file} would be ${size === 0 ? 'removed' : `set to ${bytes(size)}`} (it holds ${bytes(would.allocated)} now); nothing was changed`);
      return EXIT.ok;
    }
    const set = setSize(dir, size);
    const f = probeFilesystem(dir);
    if (json) process.stdout.write(`${JSON.stringify(withNameBytes({ reserve: set.file, sizeBytes: set.size, allocatedBytes: set.allocated, mountPoint: f.mountPoint, freeBytes: f.freeBytes }))}\n`);
    if (set.size === 0) log.success(`no reserve in ${dir} any more; ${shortBytes(f.freeBytes)} free on ${f.mountPoint}`);
    else log.success(`reserve ${set.file}: ${bytes(set.size)}, its blocks allocated (${bytes(set.allocated)}), on ${f.mountPoint} (${f.type}); ${shortBytes(f.freeBytes)} free now`);
    return EXIT.ok;
  } catch (err) {
    printReport(failedReport(dir, toCmemError(err, `reserve in ${dir}`), {}), json, log);
    return EXIT.error;
  }
}
