// --simulate on a file that an interrupted run left unfinished: the steps a plain rerun (or --resume)
// takes from the record it would act on, and where FILE's bytes are now. Nothing is touched.
import path from 'node:path';
import { windowsOf } from '../plan/loss-windows.js';
import { ramPlace, stepsJson, type Step } from '../plan/steps.js';
import { blockResumeSteps } from '../strategies/blocks.js';
import { besideFinishSteps } from '../strategies/beside-finish.js';
import { stashFinishSteps, type StashedJobAt } from '../strategies/stash-finish.js';
import type { FileFacts } from '../probe/file.js';
import { probeFilesystem } from '../probe/filesystem.js';
import { identityOf, sameIdentity } from '../probe/identity.js';
import type { FileReport } from '../report/file-report.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { planLines } from '../report/steps-taken.js';
import { closeJournal } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { holdsOriginal } from '../steps/record-proof.js';
import type { FoundStash, StashManifest } from '../steps/stash.js';
import { blocksLeft, remainingBytes } from './block-mode.js';
import type { Journaled } from './find-journal.js';
import { findUnfinished, type Unfinished } from './unfinished-jobs.js';
import fs from 'node:fs';

export interface Preview {
  record: string;
  now: string;
  steps: Step[];
  ram?: { dir: string; fs: { type: string; ramBacked: boolean } };
}

function blocksPreview({ journal, manifest: m }: Journaled, facts: FileFacts, outputPath: string): Preview {
  const stashFs = journal.stash ? probeFilesystem(journal.stash.dir) : undefined;
  const remaining = facts.kind === 'file' ? remainingBytes(m) : 0;
  const now =
    facts.kind === 'file'
      ? `${facts.path} holds its first ${bytes(remaining)}${facts.size > remaining ? ` (and ${bytes(facts.size - remaining)} more, saved in a part but not yet cut off)` : ''}; ` +
        `${m.parts.length} part(s) in ${journal.folder} hold the rest (${bytes(m.size - remaining)})` +
        (m.assembledParts > 0 ? `, the first ${m.assembledParts} already appended to the temporary .gz` : '')
      : `the .gz is whole under its name; only the journal ${journal.folder} is left to remove`;
  const steps = blockResumeSteps(blocksLeft({ journal, manifest: m }, facts, outputPath));
  return { record: journal.manifest, now, steps, ram: stashFs && journal.stash ? { dir: journal.stash.dir, fs: stashFs } : undefined };
}

/** A stash's job, finished from where its bytes are now: the one list --simulate prints and the rerun runs. */
export function stashResume(found: FoundStash, m: StashManifest, facts: FileFacts, outputPath: string) {
  const out = fs.lstatSync(at(outputPath), { bigint: true, throwIfNoEntry: false });
  const where: StashedJobAt =
    facts.kind === 'file' && sameIdentity(facts, m) && !m.copytruncate
      ? 'file'
      : out && sameIdentity(identityOf(out), m)
        ? 'gz'
        : out && m.copytruncate
          ? m.appendTo === undefined
            ? 'gz'
            : 'append'
          : 'gone';
  const stashFs = probeFilesystem(path.dirname(found.paths.data));
  const copy = `the safety copy ${found.paths.data} holds all ${bytes(m.size)}, compressed${stashFs.ramBacked ? ' (in RAM: a power cut empties it)' : ''}`;
  const file =
    where === 'gz'
      ? `${outputPath} holds the .gz under its name`
      : where === 'append'
        ? `${outputPath} is the earlier archive the copy goes onto`
      : where === 'gone'
        ? `${facts.path} ${m.copytruncate ? 'was emptied' : 'is gone'}`
        : holdsOriginal(facts.path, m)
          ? `${facts.path} still holds the original`
          : facts.size === m.compressedSize
            ? `${facts.path} holds the whole .gz (rewritten in place, not yet renamed)`
            : `${facts.path} holds the start of the .gz over the original's head`;
  return { record: found.paths.manifest, now: `${copy}; ${file}`, steps: stashFinishSteps(stashFs.ramBacked, where, m.compressedSize), ram: { dir: path.dirname(path.dirname(found.paths.data)), fs: stashFs }, where };
}

/** What finishing the job found takes, from where its bytes are now: --simulate prints it, the rerun takes it. */
export function resumePlan(u: Unfinished, facts: FileFacts, outputPath: string): Preview | undefined {
  const finish = u.stashes.find((d) => d.act === 'finish');
  if (u.journal) return blocksPreview(u.journal, u.source ?? facts, outputPath);
  return finish?.act === 'finish' ? stashResume(finish.found, finish.m, facts, outputPath) : undefined;
}

/** The report of a simulated rerun that finishes an interrupted job, or undefined when there is none. */
export function previewUnfinished(facts: FileFacts, outputPath: string, stashDirs: readonly string[], force: boolean, log: Logger): Partial<FileReport> | undefined {
  const u = findUnfinished(facts, outputPath, stashDirs, force, log, true);
  if (u.journal) closeJournal(u.journal.journal);
  for (const d of u.stashes) if (d.act !== 'finish') log.info(`a real run would deal with a leftover first: ${d.why}`);
  const p = resumePlan(u, facts, outputPath);
  if (!p) return undefined;
  const windows = windowsOf(p.steps, ramPlace(p.ram));
  log.info(`an interrupted run left ${p.record}: a rerun (or --resume) finishes that job`);
  log.info(`where the bytes are now: ${p.now}`);
  planLines(p.steps, windows).forEach((line) => log.info(line));
  return { strategy: 'resume', reason: `finish the interrupted job recorded in ${p.record}`, windows, steps: stepsJson(p.steps), resume: { record: p.record, now: p.now } };
}

/** --simulate where a beside run stopped between its rename and its unlink: the rerun only removes FILE. */
export function besideFinishPreview(outputPath: string, log: Logger): Partial<FileReport> {
  const steps = besideFinishSteps();
  const windows = windowsOf(steps, undefined);
  const now = `${outputPath} holds every byte of FILE, verified; FILE is left to remove`;
  log.info(`where the bytes are now: ${now}`);
  planLines(steps, windows).forEach((line) => log.info(line));
  return { strategy: 'resume', reason: 'an earlier run wrote the .gz whole and stopped before removing FILE', windows, steps: stepsJson(steps), resume: { record: outputPath, now } };
}
