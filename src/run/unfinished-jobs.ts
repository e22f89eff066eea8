// What interrupted runs left for one operand, decided without acting: the block-mode journal to resume,
// and for each safety copy whether to finish from it, drop it or leave it. Records are found by the
// operand's identity (inode and birth time, or its .gz's) and count only when FILE proves them its own:
// owner, filesystem, and the bytes the record's step says FILE holds. recover() acts on the decisions;
// --simulate prints them.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { fsTypeOf, identityOf, recordKey } from '../probe/identity.js';
import { runningElsewhere } from '../probe/live-run.js';
import { defaultStashDirs } from '../probe/stash.js';
import type { Logger } from '../report/logger.js';
import { at } from '../fs/pinned-folders.js';
import { beginsWith, holdsOriginal } from '../steps/record-proof.js';
import { findStashes, findStashesByOutput, type FoundStash, type StashManifest } from '../steps/stash.js';
import { pointedStashDirs } from '../steps/stash-pointer.js';
import { tempPathFor } from '../steps/write-beside.js';
import { findJournal, secondLink, type Journaled } from './find-journal.js';
import { hiddenName } from '../steps/hide-source.js';
import { probeFile, type FileFacts } from '../probe/file.js';
import { mayHaveRecords } from './record-index.js';
import { shellQuote } from '../text/shell-quote.js';

export type StashDecision =
  | { act: 'drop' | 'leave'; found: FoundStash; why: string }
  | { act: 'finish'; found: FoundStash; m: StashManifest };

export interface Unfinished {
  journal?: Journaled;
  /** Where the journal's file is when block mode had moved it off FILE's name: the resume works on it. */
  source?: FileFacts;
  stashes: StashDecision[];
}

/** What the record's step says FILE must hold, checked: why it is not this file's, or undefined when it is. */
function unproven(found: FoundStash, m: StashManifest, facts: FileFacts, fsType: number): string | undefined {
  if (m.uid !== facts.uid) return `it records owner uid ${m.uid}, but ${facts.path} belongs to uid ${facts.uid}`;
  if (m.fsType !== fsType) return `it was made on another kind of filesystem`;
  if (facts.kind !== 'file' || found.paths.key !== recordKey(facts)) return undefined; // found by its .gz: the finish verifies that
  if (m.phase === 'stashed' || m.copytruncate) return undefined; // the original's bytes are checked below
  if (holdsOriginal(facts.path, m) || beginsWith(facts.path, found.paths.data, m.compressedSize)) return undefined;
  return `${facts.path} holds neither the original's bytes nor the start of the compressed copy`;
}

function decide(found: FoundStash, facts: FileFacts, owner: number | undefined, fsType: number, force: boolean): StashDecision {
  const m = found.manifest;
  if (!m) return { act: 'drop', found, why: `removed ${found.paths.data}, a stash copy without a manifest left by an interrupted run (nothing depended on it)` };
  // A stash that a live run is still writing or rewriting from is in use, not left over: taking it
  // over would have two processes rewrite and rename one file.
  if (runningElsewhere(m))
    throw new CmemError(
      'HELD_OPEN',
      `${facts.path} is being compressed by another cmemgzip (PID ${m.pid}); its stash ${found.paths.manifest} is in use`,
      `wait for PID ${m.pid} to finish; if it hangs, stop it, then run: cmemgzip --resume ${shellQuote(facts.path)}`,
    );
  const why = owner !== undefined ? unproven(found, m, { ...facts, uid: owner }, fsType) : undefined;
  if (why) return { act: 'leave', found, why: `the stash ${found.paths.manifest} (a job on ${m.name}, started ${m.createdAt}) is not this file's: ${why}; left in place, and ${facts.path} is handled as a new file` };
  const fileKey = facts.kind === 'file' && recordKey(facts) === found.paths.key;
  if ((m.phase === 'stashed' || m.copytruncate) && fileKey && holdsOriginal(facts.path, m)) {
    // Killed before the rewrite or the truncation: FILE still holds every byte the stash has (and maybe more since).
    const said = m.copytruncate
      ? `removed the stash ${found.paths.data} of an interrupted --copytruncate run: ${facts.path} was never truncated, starting afresh`
      : `removed the stash ${found.paths.data} of an interrupted run: ${facts.path} was never touched, compressing it afresh`;
    return { act: 'drop', found, why: said };
  }
  if (m.phase !== 'rewriting')
    return { act: 'leave', found, why: `found the stash ${found.paths.data}, which does not match ${facts.path} as it is now (it no longer begins with the bytes that were copied); left in place` };
  if (fileKey && facts.nlink > 1 && !force) throw secondLink(facts, found.paths.manifest);
  return { act: 'finish', found, m };
}

/** The regular file at FILE's hidden name, where block mode moves FILE while it cuts it. */
function hiddenSourceOf(file: string): FileFacts | undefined {
  const hidden = hiddenName(file);
  if (!fs.existsSync(at(hidden))) return undefined;
  const facts = probeFile(hidden);
  return facts.kind === 'file' ? facts : undefined;
}

/** The unfinished jobs of this operand; dryRun (for --simulate) looks without tidying anything away. */
export function findUnfinished(facts: FileFacts, outputPath: string, stashDirs: readonly string[], force: boolean, log: Logger, dryRun: boolean): Unfinished {
  const key = facts.kind === 'file' ? recordKey(facts) : undefined;
  // A stash is named after FILE's identity, which FILE.gz has once the run renamed FILE and was killed while removing it.
  const outSt = fs.lstatSync(at(outputPath), { bigint: true, throwIfNoEntry: false });
  const out = outSt?.isFile() ? identityOf(outSt) : undefined;
  const keys = [key, out && recordKey(out)].filter((k): k is string => k !== undefined);
  const stateDirs = (ids: readonly string[]) => [...stashDirs, ...ids.flatMap(pointedStashDirs), ...defaultStashDirs()];
  // Block mode first: its temporary .gz is being assembled, not left over. Its file may wait at its hidden name.
  const source = hiddenSourceOf(facts.path);
  if (source) {
    const journal = findJournal(source, outputPath, stateDirs([recordKey(source)]), log, dryRun);
    if (journal) return { journal, source, stashes: [] };
    log.warn(
      `${source.path} is named as the file of an interrupted block-mode run on ${facts.path}, but no journal proves it one (its parts were in RAM and a reboot emptied them, or it was put there by hand); left as it is: ` +
        `if it is yours, its bytes are the head of ${facts.path}: mv ${shellQuote(source.path)} ${shellQuote(facts.path + '.head')}`,
    );
  }
  // Most files of a -r run have no record anywhere: one listing per place tells, instead of every lookup below.
  if (facts.kind === 'file' && !mayHaveRecords(keys, [...stashDirs, ...defaultStashDirs()], facts)) return { stashes: [] };
  const allStashDirs = stateDirs(keys);
  const journal = findJournal(facts, outputPath, allStashDirs, log, dryRun);
  if (journal) return { journal, stashes: [] };
  const owner = facts.kind === 'file' ? facts.uid : outSt ? Number(outSt.uid) : undefined;
  const tempSt = fs.lstatSync(at(tempPathFor(outputPath)), { bigint: true, throwIfNoEntry: false });
  const written = [outSt, tempSt].flatMap((st) => (st?.isFile() ? [identityOf(st)] : []));
  const onRefused = (why: string) => log.warn(why);
  const byOutput = facts.kind === 'missing' ? findStashesByOutput(allStashDirs, written, onRefused) : [];
  const found = [...findStashes(allStashDirs, keys, onRefused), ...byOutput];
  const fsType = found.length > 0 ? fsTypeOf(facts.kind === 'file' ? facts.path : path.dirname(outputPath)) : 0;
  return { stashes: found.map((f) => decide(f, facts, owner, fsType, force)) };
}
