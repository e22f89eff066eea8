// --copytruncate for a named FILE: opens it to read and to truncate (both the probed inode), runs the core.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import type { Options } from '../plan/options.js';
import type { FileFacts } from '../probe/file.js';
import { probeFilesystem } from '../probe/filesystem.js';
import type { Holder } from '../probe/holder.js';
import { stashCandidates } from '../probe/stash.js';
import type { FileReport } from '../report/file-report.js';
import type { Logger } from '../report/logger.js';
import { copyTruncate, truncateReport } from './copy-truncate.js';
import { earlierArchive } from '../steps/append-archive.js';
import { at } from '../fs/pinned-folders.js';
import type { StepJson } from '../report/steps-taken.js';

/** Opens without following a symlink and checks the inode only: size and times move while a process writes. */
function openSame(facts: FileFacts, flags: number): number {
  const fd = fs.openSync(at(facts.path), flags | fs.constants.O_NOFOLLOW);
  const st = fs.fstatSync(fd);
  if (st.dev !== facts.dev || st.ino !== facts.ino) {
    fs.closeSync(fd);
    throw new CmemError('CHANGED', `${facts.path} was replaced between the check and the open; left as it is`, 'run cmemgzip again');
  }
  return fd;
}

export async function copyTruncateFile(
  facts: FileFacts,
  holders: Holder[],
  outputPath: string,
  stashDirs: string[],
  opts: Options,
  log: Logger,
  trace: { steps?: StepJson[] },
  staleCopyGone = false,
): Promise<Partial<FileReport>> {
  if (opts.keep) throw new CmemError('BAD_OPTION', '--copytruncate empties the file, which -k (keep) forbids', 'drop -k, or drop --copytruncate and stop the writer');
  const archive = staleCopyGone ? undefined : await earlierArchive(outputPath, facts);
  const readFd = openSame(facts, fs.constants.O_RDONLY);
  try {
    const writeFd = openSame(facts, fs.constants.O_WRONLY);
    try {
      const result = await copyTruncate({
        source: { name: facts.path, readFd, writeFd, facts, holders },
        outputPath,
        outputFs: probeFilesystem(path.dirname(outputPath)),
        fileFs: probeFilesystem(facts.dir),
        stashes: stashCandidates(facts.dev, stashDirs, opts.noStash, (why) => log.warn(why)),
        opts,
        archive,
        log,
        trace,
      });
      return truncateReport(result);
    } finally {
      fs.closeSync(writeFd);
    }
  } finally {
    fs.closeSync(readFd);
  }
}
