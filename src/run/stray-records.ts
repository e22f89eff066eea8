// Records of interrupted jobs that this run did not finish: named at the end of every run with what to
// do, so that a record whose file was renamed, replaced by a new one or lost in a reboot never waits
// unseen. Records are read as data only; the name one holds is shown and looked up, never acted on.
import fs from 'node:fs';
import path from 'node:path';
import { identityAt, sameIdentity, type Identity } from '../probe/identity.js';
import { renamedIn } from '../probe/renamed.js';
import { runningElsewhere, type RunOwner } from '../probe/live-run.js';
import { defaultStashDirs, uniqueDirs } from '../probe/stash.js';
import { fsPath } from '../fs/raw-names.js';
import { journalsBeside, journalsInStash, readJournal, type JournalPaths } from '../steps/journal.js';
import { readOwnFile, stateFolderIn } from '../steps/state-folder.js';
import { parseStashManifest, stashPaths } from '../steps/stash.js';
import { shellQuote } from '../text/shell-quote.js';
import { hiddenName } from '../steps/hide-source.js';

export interface StrayRecord {
  /** The manifest (a safety copy's) or the journal folder (block mode's). */
  record: string;
  /** The file the job was on, as it was named then. */
  name: string;
  createdAt: string;
  /** What to do, in words an operator can follow. */
  advice: string;
}

interface Found extends Identity, RunOwner {
  record: string;
  data: string;
  name: string;
  createdAt: string;
  copytruncate?: boolean;
  journal: boolean;
}

function adviceFor(r: Found): string {
  const copy = r.journal ? `its parts (${r.data}/part-*.gz, in order) hold the end of the file` : `${r.data} is a complete .gz of the file's content`;
  if (sameIdentity(identityAt(fsPath(r.name)), r)) return `${r.name} waits for it: run cmemgzip ${shellQuote(r.name)} to finish the job`;
  if (sameIdentity(identityAt(fsPath(hiddenName(r.name))), r)) return `the rest of ${r.name} waits at ${hiddenName(r.name)}: run cmemgzip --resume ${shellQuote(r.name)} to finish the job`;
  const moved = renamedIn(path.dirname(r.name), r);
  if (moved) return `${r.name} was renamed to ${moved}: run cmemgzip ${shellQuote(moved)} to finish the job`;
  if (r.copytruncate) return `the file was emptied and ${r.data} holds what was taken from it: copy it where it belongs (cp ${shellQuote(r.data)} DEST.gz), then remove ${r.record}${r.journal ? '' : ` and ${r.data}`}`;
  return `no file has its identity now (a new file took the name, or a remount or reboot emptied a RAM filesystem); ${copy}: keep them until you know they are not needed, then remove ${r.record}${r.journal ? '' : ` and ${r.data}`}`;
}

function stashRecords(dir: string): Found[] {
  const folder = stateFolderIn(dir, false);
  if (!folder) return [];
  return (fs.readdirSync(folder) as string[]).flatMap((name) => {
    const key = /^(\d+-\d+)\.json$/.exec(name)?.[1];
    const m = key ? parseStashManifest(readOwnFile(folder, name), key) : undefined;
    if (!m) return [];
    const paths = stashPaths(dir, m);
    return [{ ...m, record: paths.manifest, data: paths.data, journal: false }];
  });
}

function journalRecords(journals: JournalPaths[]): Found[] {
  return journals.flatMap((j) => {
    const m = readJournal(j, () => true);
    return m ? [{ ...m, record: j.folder, data: j.folder, journal: true }] : [];
  });
}

/** The unfinished records in the state folders and beside the operands' folders, less those of live runs. */
export function strayRecords(stashDirs: readonly string[], operandDirs: readonly string[]): StrayRecord[] {
  const look = <T>(f: () => T[]): T[] => {
    try {
      return f();
    } catch {
      return []; // a place that fails its checks is reported where it is used
    }
  };
  const places = uniqueDirs([...stashDirs, ...defaultStashDirs()]);
  const found = [
    ...places.flatMap((d) => look(() => stashRecords(d))),
    ...places.flatMap((d) => look(() => journalRecords(journalsInStash(d)))),
    ...uniqueDirs(operandDirs).flatMap((d) => look(() => journalRecords(journalsBeside(d)))),
  ];
  return found.filter((r) => !runningElsewhere(r)).map((r) => ({ record: r.record, name: r.name, createdAt: r.createdAt, advice: adviceFor(r) }));
}
