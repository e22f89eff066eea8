// --scan [DIR...]: for each filesystem of the folders given, how full it is, what is worth compressing,
// what deleted files still hold space, and the commands to run next. Reads only.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, EXIT, toCmemError } from '../errors.js';
import { isText, notALog, TEXT_SAMPLE } from '../plan/log-like.js';
import { ACTIVE_LOG, isActiveLog } from '../plan/rotated-set.js';
import { usageOf } from '../plan/scan-levels.js';
import { compressionOfFd } from '../probe/compression-magic.js';
import { findDeletedOpen } from '../probe/deleted-open.js';
import { probeFilesystem, type FsFacts } from '../probe/filesystem.js';
import { findHolders } from '../probe/holders.js';
import { largestFiles } from '../probe/largest-files.js';
import { siblingsOf } from '../probe/siblings.js';
import { fileKey, mappedFiles } from '../probe/mappings.js';
import { reclaimCommand } from '../report/deleted-lines.js';
import type { Logger } from '../report/logger.js';
import { scanJson, scanLines, type Candidate, type FsScan } from '../report/scan-report.js';
import { estimateCompressed } from '../steps/estimate.js';
import { dirExists, warnHidden } from './list-deleted.js';
import { fsPath, withNameBytes } from '../fs/raw-names.js';
import { shortBytes } from '../text/format.js';
import { ownFileReason } from '../steps/own-names.js';
import { isJournalFolderName } from '../steps/journal.js';
import { reserveOn } from '../steps/reserve-record.js';
import { strayRecords, type StrayRecord } from './stray-records.js';

/** The reserve on a filesystem (--reserve), with its size now and the size a run grows it back to. */
function reserveFound(dev: number) {
  const r = reserveOn(dev);
  return r && { path: r.path, sizeBytes: fs.statSync(fsPath(r.path)).size, recordedBytes: r.size };
}

/** The records of interrupted jobs, each under the filesystem its file was on (else the first one scanned). */
function straysByFilesystem(dirs: readonly string[], devs: readonly number[]): Map<number, StrayRecord[]> {
  const out = new Map<number, StrayRecord[]>();
  for (const r of strayRecords([], dirs)) {
    const dev = fs.statSync(fsPath(path.dirname(r.name)), { throwIfNoEntry: false })?.dev;
    const key = dev !== undefined && devs.includes(dev) ? dev : devs[0];
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}

/** Files shown per filesystem, and how many of the largest are looked at to find them. */
const SHOWN = 10;
const LOOKED_AT = 5 * SHOWN;

export const DEFAULT_SCAN_DIRS = () => [process.cwd(), '/var/log'].filter((d) => fs.existsSync(d));

/** The folders grouped by the filesystem they are on, each filesystem once. */
function byFilesystem(dirs: readonly string[]): Map<number, { fs: FsFacts; dirs: string[] }> {
  const groups = new Map<number, { fs: FsFacts; dirs: string[] }>();
  for (const dir of dirs) {
    const abs = path.resolve(dir);
    if (!fs.statSync(fsPath(abs)).isDirectory()) throw new CmemError('NOT_REGULAR', `${abs} is not a folder; --scan takes folders`);
    const facts = probeFilesystem(abs);
    const group = groups.get(facts.dev) ?? { fs: facts, dirs: [] };
    group.dirs.push(abs);
    groups.set(facts.dev, group);
  }
  return groups;
}

/** A file's format by its first bytes, whether they are text, and its compressed size estimated from a sample (its size when compressed already). */
export function look(file: string, size: number, level: number): { format?: string; estimated: number; text: boolean } {
  const fd = fs.openSync(fsPath(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const format = compressionOfFd(fd);
    const head = Buffer.alloc(Math.min(TEXT_SAMPLE, size));
    const text = !format && isText(head.subarray(0, fs.readSync(fd, head, 0, head.length, 0)));
    return { format, estimated: format ? size : estimateCompressed(fd, size, level), text };
  } finally {
    fs.closeSync(fd);
  }
}

function scanFilesystem(group: { fs: FsFacts; dirs: string[] }, level: number): Omit<FsScan, 'deleted'> {
  const walk = largestFiles(group.dirs, group.fs.dev, LOOKED_AT);
  const candidates: Candidate[] = [];
  const compressed: FsScan['compressed'] = [];
  for (const file of walk.largest) {
    if (candidates.length >= SHOWN || file.size === 0) break;
    // The tool's own files (the reserve, a temporary, a file block mode is cutting, a journal's manifest): not to compress.
    if (ownFileReason(path.basename(file.path)) || isJournalFolderName(path.basename(path.dirname(file.path)))) continue;
    let seen;
    try {
      seen = look(file.path, file.size, level);
    } catch {
      continue; // unreadable or gone since the walk: nothing to suggest
    }
    if (seen.format) compressed.push({ ...file, format: seen.format });
    else {
      const st = fs.statSync(fsPath(file.path));
      const writers = findHolders(st.dev, st.ino).holders.filter((h) => h.writes);
      const base = path.basename(file.path);
      // What --until would say of it: then no command is suggested for it here either.
      const untilPassesOver = isActiveLog(base, siblingsOf(path.dirname(file.path))) ? ACTIVE_LOG : notALog(base, seen.text);
      candidates.push({ ...file, estimated: seen.estimated, writers, untilPassesOver });
    }
  }
  return { fs: group.fs, dirs: group.dirs, usage: usageOf(group.fs), files: walk.files, unreadable: walk.unreadable, candidates, compressed };
}

export function scan(dirs: readonly string[], json: boolean, level: number, log: Logger): number {
  let groups;
  try {
    groups = byFilesystem(dirs.length > 0 ? dirs : DEFAULT_SCAN_DIRS());
  } catch (err) {
    const e = toCmemError(err, 'scan');
    log.error(e.message);
    return EXIT.error;
  }
  const deleted = findDeletedOpen();
  const mapped = deleted.files.length > 0 ? mappedFiles() : new Map<string, Set<number>>();
  const strays = straysByFilesystem([...groups.values()].flatMap((g) => g.dirs), [...groups.keys()]);
  for (const group of groups.values()) {
    const found: FsScan = {
      ...scanFilesystem(group, level),
      deleted: deleted.files
        .filter((f) => f.dev === group.fs.dev)
        .map((file) => ({ file, mappedBy: [...(mapped.get(fileKey(file.dev, file.ino)) ?? [])], command: reclaimCommand(file, dirExists(file)) })),
    };
    const reserve = reserveFound(group.fs.dev);
    const strayRecords = strays.get(group.fs.dev) ?? [];
    if (json) process.stdout.write(`${JSON.stringify(withNameBytes({ ...scanJson(found), reserve, strayRecords }))}\n`);
    else scanLines(found).forEach((line) => log.info(line));
    if (!json) for (const r of strayRecords) log.warn(`  the record of an interrupted job on ${r.name} (started ${r.createdAt}) is left: ${r.record}; ${r.advice}`);
    if (reserve && !json)
      log.info(`  reserve: ${reserve.path}, ${shortBytes(reserve.sizeBytes)}${reserve.sizeBytes < reserve.recordedBytes ? ` of its ${shortBytes(reserve.recordedBytes)} (the next run grows it back)` : ''}`);
  }
  warnHidden(deleted, log);
  return EXIT.ok;
}
