// A reclaim of /proc/PID/fd/N that was stopped leaves its copy in a stash, found by the deleted file's
// identity: stopped before the truncation (the file still holds those bytes), the copy is dropped and
// the job starts afresh; stopped after it, the copy is all there is, and DEST is written from it.
import { CmemError } from '../errors.js';
import { fsTypeOf, recordKey } from '../probe/identity.js';
import { runningElsewhere } from '../probe/live-run.js';
import type { ProcFdTarget } from '../probe/proc-fd.js';
import { defaultStashDirs } from '../probe/stash.js';
import type { Logger } from '../report/logger.js';
import { holdsOriginal } from '../steps/record-proof.js';
import { findStashes, removeStash } from '../steps/stash.js';
import { pointedStashDirs } from '../steps/stash-pointer.js';
import { verifyContent } from '../steps/verify-content.js';
import { shellQuote } from '../text/shell-quote.js';
import { exists } from './output-path.js';
import { finishFromStash, type Recovered } from './recover.js';

/** What was finished for the link, or undefined when a fresh reclaim should go on. */
export async function resumeReclaim(target: ProcFdTarget, readFd: number, outputPath: string, stashDirs: readonly string[], log: Logger): Promise<Recovered | undefined> {
  const { facts, link } = target;
  const key = recordKey(facts);
  const dirs = [...stashDirs, ...pointedStashDirs(key), ...defaultStashDirs()];
  const fsType = fsTypeOf(link);
  for (const found of findStashes(dirs, [key], (why) => log.warn(why))) {
    const m = found.manifest;
    if (!m?.copytruncate || m.uid !== facts.uid || m.fsType !== fsType) {
      log.warn(`the stash ${found.paths.data} is not a copy of ${link} (${facts.path}); left in place`);
      continue;
    }
    if (runningElsewhere(m))
      throw new CmemError('HELD_OPEN', `${link} is being reclaimed by another cmemgzip (PID ${m.pid})`, `wait for PID ${m.pid} to finish; if it hangs, stop it, then run: cmemgzip --resume -o ${shellQuote(outputPath)} ${link}`);
    if (holdsOriginal(readFd, m)) {
      removeStash(found.paths);
      log.warn(`removed the stash ${found.paths.data} of an interrupted reclaim: ${link} was never truncated, starting afresh`);
      return undefined;
    }
    log.warn(`found the stash of an interrupted reclaim of ${link}: ${found.paths.manifest} (started ${m.createdAt} by PID ${m.pid}); it holds the ${m.size} bytes the truncation took`);
    if (exists(outputPath) && (await verifyContent(outputPath, m).then(() => true, () => false))) {
      removeStash(found.paths);
      log.info(`${outputPath} already holds them; removed the stash`);
      return { output: outputPath, originalBytes: m.size, compressedBytes: m.compressedSize };
    }
    return finishFromStash(found, m, facts, outputPath, log);
  }
  return undefined;
}
