// Finds the journal of an interrupted block-mode run on one file: beside it or in a stash, named by the
// file's identity, and counted only when its manifest records the same identity, owner and filesystem.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { fsTypeOf, identityOf, sameIdentity } from '../probe/identity.js';
import { uniqueDirs } from '../probe/stash.js';
import type { Logger } from '../report/logger.js';
import { closeJournal, journalBeside, journalInStash, journalsBeside, journalsInStash, openJournal, partsIn, readJournal, removeJournal, type JournalManifest, type JournalPaths } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';

export interface Journaled {
  journal: JournalPaths;
  manifest: JournalManifest;
}

/** Runs a look into a state folder; one that fails its check is reported and passed over. */
function safely<T>(look: () => T, log: Logger): T | undefined {
  try {
    return look();
  } catch (err) {
    if (!(err instanceof CmemError)) throw err;
    log.warn(err.message);
    return undefined;
  }
}

/** What a resume refuses as a fresh run does: a second hard link would keep the blocks and see the file emptied. */
export const secondLink = (facts: FileFacts, record: string) =>
  new CmemError(
    'HARD_LINKS',
    `${facts.path} has ${facts.nlink} hard links now; an interrupted job's record ${record} was left as it is`,
    `remove the other links, or give -f to finish the job on this name alone`,
  );

/**
 * Finds the journal of an interrupted block-mode run on this file, beside it or in a stash, and holds it
 * open. Journals are named by the file's identity (inode and birth time) and their manifest must record
 * the same, with its owner and filesystem type: one of another file is never read, taken over or deleted.
 */
export function findJournal(facts: FileFacts, outputPath: string, stashDirs: readonly string[], log: Logger, dryRun = false): Journaled | undefined {
  // FILE is gone only after assembly renamed the .gz into place: then the journal is the one that made it.
  const outSt = facts.kind === 'missing' ? fs.lstatSync(at(outputPath), { bigint: true, throwIfNoEntry: false }) : undefined;
  const out = outSt?.isFile() ? identityOf(outSt) : undefined;
  if (facts.kind !== 'file' && !out) return undefined;
  const fsType = fsTypeOf(out ? path.dirname(outputPath) : facts.dir);
  const accept = (m: JournalManifest) => (out ? sameIdentity(m.output, out) : sameIdentity(m, facts) && m.uid === facts.uid && m.fsType === fsType);
  // Each stash folder once (a symlinked /run/shm, a pointer to --stash), or the one journal would look stale.
  const inStash = (d: string) => (out ? safely(() => journalsInStash(d), log) ?? [] : [journalInStash(d, facts)]);
  const beside = out ? journalsBeside(facts.dir) : [journalBeside(facts.dir, facts)];
  const candidates = [...beside, ...uniqueDirs(stashDirs).flatMap(inStash)].filter((j) => safely(() => openJournal(j), log));
  const read = candidates.map((journal) => ({ journal, manifest: readJournal(journal, accept) }));
  const found = read.filter((j): j is Journaled => j.manifest !== undefined);
  for (const { journal, manifest } of read) {
    if (manifest) continue;
    if (out) {
      closeJournal(journal); // another job's journal in the same folder
      continue;
    }
    if (fs.existsSync(at(journal.manifest))) {
      // Under this file's name but not proving itself its: reported, never followed, never deleted.
      log.warn(`${journal.manifest} does not describe ${facts.path} as it is now (owner, filesystem or shape differ); left in place`);
      closeJournal(journal);
      continue;
    }
    // A folder without a manifest is a run killed before its first one, or a move out of the stash cut short: its parts
    // are copies. Except with no manifest anywhere: then a part is from a one-block window, maybe the only copy of FILE's end.
    const parts = partsIn(journal) ?? [];
    if (parts.length > 0 && found.length === 0) {
      read.forEach((r) => closeJournal(r.journal));
      throw new CmemError(
        'CHANGED',
        `${journal.folder} holds ${parts.join(', ')} but no manifest: a run was killed in its one-block window, and this may be the only copy of the end of ${facts.path}; nothing was touched`,
        `if gzip -t accepts the part, put it back: gzip -dc PART >> ${facts.path}; then remove ${journal.folder} and run cmemgzip again`,
      );
    }
    if (dryRun) closeJournal(journal);
    else removeJournal(journal);
  }
  // A run killed while moving the journal out of the stash leaves two; the one beside FILE is the newer.
  found.slice(1).forEach((stale) => (dryRun ? closeJournal(stale.journal) : removeJournal(stale.journal)));
  return found[0];
}
