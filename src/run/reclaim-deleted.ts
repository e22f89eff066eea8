// An operand /proc/PID/fd/N with -o DEST: compress a deleted file's content to DEST, then truncate it
// through the same link, so the space comes back while the process lives on.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError, CmemWarning, toCmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { findHolders } from '../probe/holders.js';
import { probeProcFd, type ProcFdTarget } from '../probe/proc-fd.js';
import { stashCandidates } from '../probe/stash.js';
import { failedReport, type FileReport } from '../report/file-report.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { copyTruncate, truncateReport } from './copy-truncate.js';
import { earlierArchive } from '../steps/append-archive.js';
import { LeftBehind } from './execute.js';
import { outputPathFor } from './output-path.js';
import { resumeReclaim } from './resume-reclaim.js';

/** Opens the link (it follows to the deleted inode) and checks it is still that inode. */
function openLink(target: ProcFdTarget, flags: number): number {
  let fd: number;
  try {
    fd = fs.openSync(target.link, flags);
  } catch (err) {
    throw toCmemError(err, `opening ${target.link}${flags === fs.constants.O_WRONLY ? ' to truncate it' : ''}`);
  }
  const st = fs.fstatSync(fd);
  if (st.dev !== target.facts.dev || st.ino !== target.facts.ino) {
    fs.closeSync(fd);
    throw new CmemError('CHANGED', `${target.link} now points to another file; left as it is`, 'list them again with cmemgzip --deleted');
  }
  return fd;
}

export async function reclaimDeleted(link: string, opts: Options, log: Logger): Promise<FileReport> {
  const start = performance.now();
  const report: FileReport = { file: link, status: 'failed', timings: {} };
  try {
    if (!opts.output)
      throw new CmemError('BAD_OPTION', `${link}: -o DEST is required: a deleted file has no folder to write its .gz beside`, `add -o /some/dir/ or -o /some/dir/name.gz`);
    const target = probeProcFd(link);
    const { facts } = target;
    const outputPath = outputPathFor(facts.path, opts);
    report.output = outputPath;
    const fileFs = target.fs;
    log.info(`${link}: ${facts.path} (deleted), ${bytes(facts.size)}, on ${fileFs.mountPoint} (${fileFs.type}) with ${bytes(fileFs.freeBytes)} free`);
    const readFd = openLink(target, fs.constants.O_RDONLY);
    try {
      const resumed = opts.simulate ? undefined : await resumeReclaim(target, readFd, outputPath, opts.stash ? [opts.stash] : [], log);
      if (resumed) {
        const { originalBytes, compressedBytes } = resumed;
        return { ...report, status: 'resumed', originalBytes, compressedBytes, ratio: compressedBytes / Math.max(1, originalBytes), timings: { total: Math.round(performance.now() - start) } };
      }
      if (opts.resume) throw new CmemWarning('NOTHING_TO_RESUME', `nothing to resume for ${link}: no unfinished reclaim of ${facts.path} was found`);
      // An earlier reclaim's .gz is appended to, never replaced: -f cannot make it lose what it holds.
      const archive = await earlierArchive(outputPath, facts);
      const writeFd = openLink(target, fs.constants.O_WRONLY);
      try {
        const result = await copyTruncate({
          source: { name: link, readFd, writeFd, facts, holders: findHolders(facts.dev, facts.ino).holders },
          outputPath,
          outputFs: probeFilesystem(path.dirname(outputPath)),
          fileFs,
          stashes: stashCandidates(facts.dev, opts.stash ? [opts.stash] : [], opts.noStash, (why) => log.warn(why)),
          opts,
          archive,
          log,
          trace: report,
        });
        Object.assign(report, truncateReport(result));
        if (!result.simulated)
          log.info(`free space on ${fileFs.mountPoint} now ${bytes(probeFilesystem(fileFs.mountPoint).freeBytes)} (was ${bytes(fileFs.freeBytes)})`);
      } finally {
        fs.closeSync(writeFd);
      }
    } finally {
      fs.closeSync(readFd);
    }
    return { ...report, timings: { total: Math.round(performance.now() - start) } };
  } catch (err) {
    const e = err instanceof CmemWarning ? err : toCmemError(err, link);
    const failed = { ...report, ...failedReport(link, e, { total: Math.round(performance.now() - start) }) };
    if (err instanceof LeftBehind) failed.leftovers = err.leftovers;
    return failed;
  }
}
