// Whether an interrupted job may have left records for a file, from a listing of each state folder
// (a few names) taken at most once a second and one look beside FILE, instead of a lookup per kind of
// record and place for every file: -r over thousands of files pays little for the many that have none.
// A record found is still looked up and proven the file's (unfinished-jobs.ts) before anything acts on it.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { freshFor, FRESH_MS } from '../probe/fresh-for.js';
import type { Identity } from '../probe/identity.js';
import { journalBeside } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { stateFolderIn } from '../steps/state-folder.js';

/** Every record in a state folder is named by its file's key: KEY.gz, KEY.json, KEY.where, KEY.blocks... */
const KEY = /^(\d+-\d+)\./;

/** The keys a place's state folder names; undefined when it cannot be trusted (the full lookup then reports why). */
function keysIn(dir: string): Set<string> | undefined {
  let folder: string | undefined;
  try {
    folder = stateFolderIn(dir, false);
  } catch (err) {
    if (err instanceof CmemError) return undefined;
    throw err;
  }
  if (!folder) return new Set();
  try {
    return new Set((fs.readdirSync(at(folder)) as string[]).flatMap((name) => KEY.exec(name)?.[1] ?? []));
  } catch {
    return undefined;
  }
}

/**
 * A listing stands a second, as the mount table does: a record that another run leaves meanwhile is seen
 * by the files after that, and named at the end of this run with what to do (stray-records.ts).
 */
const listed = freshFor(FRESH_MS, keysIn);

/** Keys looked for in this run: this very run may have left records under one since (an operand named twice). */
const asked = new Set<string>();

/**
 * False only when no state folder in stateDirs names one of keys (FILE's, and its .gz's when there is one)
 * and no block-mode journal is beside FILE: then there is nothing to resume, finish or tidy for it.
 */
export function mayHaveRecords(keys: readonly string[], stateDirs: readonly string[], file: Identity & { dir: string }): boolean {
  const again = keys.some((k) => asked.has(k));
  keys.forEach((k) => asked.add(k));
  if (again || fs.lstatSync(at(journalBeside(file.dir, file).folder), { throwIfNoEntry: false })) return true;
  return stateDirs.some((dir) => {
    const named = listed(dir);
    return named === undefined || keys.some((k) => named.has(k));
  });
}
