// Block mode's lists (fresh: journal beside, in a stash, the one-block window; a rerun from its journal),
// and a failure injected at every step of each, on a small real file: what the undo puts back, and that
// every byte is then in FILE or in a journal a rerun finishes from.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { describeCopies } from '../src/plan/steps.js';
import type { BlockPlan } from '../src/plan/block-plan.js';
import type { StashCandidate } from '../src/probe/stash.js';
import { probeFile } from '../src/probe/file.js';
import type { Logger } from '../src/report/logger.js';
import { startBlocks } from '../src/run/block-mode.js';
import { recover } from '../src/run/recover.js';
import { blockResumeSteps, blockSteps, type BlockAction, type BlocksLeft } from '../src/strategies/blocks.js';
import { closeJournal, createJournal, journalBeside, journalsInStash } from '../src/steps/journal.js';
import { hiddenName } from '../src/steps/hide-source.js';

const KiB = 1024;
const disk = (dir: string) => ({ dir, fs: { type: 'ext4', ramBacked: false }, explicit: true }) as unknown as StashCandidate;
const plan = (firstPart: BlockPlan['firstPart'], blocks: number, stashDir = '/s') => ({ firstPart, blocks, blockSize: 64 * KiB, estimatedCompressed: 16 * KiB * blocks, stash: firstPart === 'stash' ? disk(stashDir) : undefined });
const listed = (steps: readonly BlockAction[]) => steps.map((s) => `${s.name} [${describeCopies(s.copies)}]${s.held ? ' held' : ''}${s.commits ? ' commits' : ''}${s.undo ? ' undo' : ''}`);

describe('the lists', () => {
  it('journal beside: journal, hide, the tail, the blocks below as one step, then the assembly', () =>
    expect(listed(blockSteps(plan('beside', 4), 4 * 64 * KiB))).toEqual([
      "create the journal [FILE] undo",
      'move FILE to .FILE.cmemgzip-source (a writer appending by name starts a new FILE) [FILE] commits',
      'block 3: read and compress [FILE]',
      'block 3: write its part (fsync, verify, manifest) [FILE]',
      "block 3: cut it off FILE, fsync [FILE's head with the parts beside FILE]",
      "blocks 2 to 0, each: read and compress; write its part (fsync, verify, manifest); cut it off FILE, fsync [FILE's head with the parts beside FILE]",
      'create the temporary .gz [the parts beside FILE]',
      'blocks 0 to 3, each: append its part to the .gz, fsync, check [the parts beside FILE with the .gz]',
      'rename it to the .gz name [the .gz] held',
      'fsync the folder [the .gz] held',
      'remove the emptied FILE and the journal [the .gz] held',
    ]));

  it('journal in a stash: the parts count as the stash\'s to the end', () =>
    expect(listed(blockSteps(plan('stash', 2), 100 * KiB)).slice(4, 7)).toEqual([
      "block 1: cut it off FILE, fsync [FILE's head with the safety copy on another disk]",
      "block 0: read and compress; write its part (fsync, verify, manifest); cut it off FILE, fsync [FILE's head with the safety copy on another disk]",
      'create the temporary .gz [the safety copy on another disk]',
    ]));

  it('the one-block window: the tail cut first, held with its journal and part until the part commits; its undo writes the block back', () =>
    expect(listed(blockSteps(plan('window', 3), 3 * 64 * KiB)).slice(0, 6)).toEqual([
      'block 2: read and compress [FILE]',
      "block 2: cut it off FILE, fsync [FILE's head with this process's memory] held undo",
      "create the journal [FILE's head with this process's memory] held",
      "block 2: write its part (fsync, verify, manifest) [FILE's head with this process's memory] held commits",
      "move FILE to .FILE.cmemgzip-source (a writer appending by name starts a new FILE) [FILE's head with the parts beside FILE]",
      "blocks 1 to 0, each: read and compress; write its part (fsync, verify, manifest); cut it off FILE, fsync [FILE's head with the parts beside FILE]",
    ]));

  const left = (b: Partial<BlocksLeft>): BlocksLeft => ({ remaining: 0, blockSize: 64 * KiB, parts: 4, assembled: 0, compressedParts: 0, partsIn: 'parts', hidden: true, renamed: false, ...b });
  it.each<[string, Partial<BlocksLeft>, string[]]>([
    ['killed before the hide', { remaining: 4 * 64 * KiB, parts: 0, hidden: false }, ['move FILE', 'blocks 3 to 0', 'create the temporary', 'blocks 0 to 3, each: append', 'rename', 'fsync the folder', 'remove the emptied']],
    ['killed among the cuts', { remaining: 128 * KiB, parts: 2 }, ['blocks 1 to 0', 'create the temporary', 'blocks 0 to 3, each: append', 'rename', 'fsync the folder', 'remove the emptied']],
    ['killed while appending', { assembled: 1 }, ['blocks 1 to 3, each: append', 'rename', 'fsync the folder', 'remove the emptied']],
    ['killed after the last append', { assembled: 4 }, ['rename', 'fsync the folder', 'remove the emptied']],
    ['killed after the rename', { assembled: 4, renamed: true }, ['remove the emptied']],
    ['FILE gone from both names', { assembled: 4, renamed: true, gone: true }, ['remove the emptied']],
    ['an empty FILE killed before its one (empty) member', { parts: 0, hidden: false }, ['move FILE', 'block 0: read', 'create the temporary', 'block 0: append', 'rename', 'fsync the folder', 'remove the emptied']],
  ])('a rerun %s', (_what, b, starts) => {
    const names = blockResumeSteps(left(b)).map((s) => s.name);
    expect(names.length).toBe(starts.length);
    names.forEach((n, i) => expect(n.startsWith(starts[i])).toBe(true));
  });
});

const errors: string[] = [];
const quiet = { info: () => {}, detail: () => {}, warn: () => {}, error: (m: string) => errors.push(m), success: () => {}, chalk: { bold: (s: string) => s }, shows: false } as unknown as Logger;

/** Where the bytes are after the failure: FILE whole (never cut, or the window's block written back), or a journal that a rerun finishes. */
type Outcome = 'put back' | 'written back' | 'rerun finishes' | 'done';

interface Job {
  dir: string;
  file: string;
  out: string;
  stash: string;
  data: Buffer;
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function newJob(size: number): Job {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'blocks-spec-'));
  const stash = fs.mkdtempSync(path.join(os.tmpdir(), 'blocks-stash-'));
  dirs.push(dir, stash);
  const file = path.join(dir, 'app.log');
  const data = Buffer.from(Array.from({ length: Math.ceil(size / 25) }, (_, i) => `line ${i} ${crypto.createHash('md5').update(String(i)).digest('hex').slice(0, 20)}\n`).join('').slice(0, size));
  fs.writeFileSync(file, data);
  return { dir, file, out: `${file}.gz`, stash, data };
}

/** The list with step k failing, before it acts or once it has; in a repeated step, at its first block step. */
function failing(steps: readonly BlockAction[], k: number, when: 'before' | 'after'): BlockAction[] {
  const fail = (a: BlockAction): BlockAction => ({
    ...a,
    run: async (c) => {
      if (when === 'after') await a.run?.(c);
      throw new Error(`injected ${when} ${a.name}`);
    },
  });
  return steps.map((s, i) => {
    if (i !== k) return s;
    if (!s.each) return fail(s);
    const each = s.each;
    return {
      ...s,
      each: async function* (c) {
        let first = true;
        for await (const sub of each(c)) {
          yield first ? fail(sub) : sub;
          first = false;
        }
      },
    };
  });
}

const gunzip = (file: string) => zlib.gunzipSync(fs.readFileSync(file));
const journalLeft = (j: Job) => fs.existsSync(journalBeside(j.dir, probeFile(j.file)).folder) || fs.readdirSync(j.dir).some((n) => n.endsWith('.cmemgzip-blocks')) || journalsInStash(j.stash).length > 0;

/** Runs the variant with step k failing; then says where the bytes were, and proves none was lost. */
async function failAt(firstPart: BlockPlan['firstPart'], k: number, when: 'before' | 'after'): Promise<Outcome> {
  const j = newJob(200 * KiB);
  const facts = probeFile(j.file);
  const p = plan(firstPart, Math.ceil(facts.size / (64 * KiB)), j.stash);
  expect(p.blocks).toBe(4);
  const steps = failing(blockSteps(p, facts.size), k, when);
  const job = { facts, plan: p as unknown as BlockPlan, outputPath: j.out, level: 6, storeName: true, log: quiet };
  errors.length = 0;
  const err = await startBlocks(job, steps, {}).then(() => 'none', (e: Error) => e.message);
  expect(err).toMatch(/^injected/);
  if (fs.existsSync(j.out) && !journalLeft(j)) {
    // A failure once the last step is done: the job is whole.
    expect(gunzip(j.out).equals(j.data)).toBe(true);
    return 'done';
  }
  if (!journalLeft(j)) {
    expect(fs.readFileSync(j.file).equals(j.data)).toBe(true);
    expect(fs.existsSync(hiddenName(j.file))).toBe(false);
    return errors.some((e) => e.includes('writing the block back')) ? 'written back' : 'put back';
  }
  await recover(probeFile(j.file), j.out, [j.stash], false, quiet);
  expect(gunzip(j.out).equals(j.data)).toBe(true);
  expect([fs.existsSync(j.file), fs.existsSync(hiddenName(j.file)), journalLeft(j)]).toEqual([false, false, false]);
  return 'rerun finishes';
}

// Steps: journal, hide, read 3, part 3, cut 3, blocks 2..0, create .gz, appends, rename, fsync folder, remove.
const journaled: [number, Outcome, Outcome][] = [
  [0, 'put back', 'put back'],
  [1, 'put back', 'rerun finishes'],
  [2, 'rerun finishes', 'rerun finishes'],
  [3, 'rerun finishes', 'rerun finishes'],
  [4, 'rerun finishes', 'rerun finishes'],
  [5, 'rerun finishes', 'rerun finishes'],
  [6, 'rerun finishes', 'rerun finishes'],
  [7, 'rerun finishes', 'rerun finishes'],
  [8, 'rerun finishes', 'rerun finishes'],
  [9, 'rerun finishes', 'rerun finishes'],
  [10, 'rerun finishes', 'done'],
];

describe.each(['beside', 'stash'] as const)('journal %s: a failure at each step', (firstPart) => {
  it.each(journaled)('step %i: before it acts: %s; once it has: %s', async (k, before, after) => {
    expect(await failAt(firstPart, k, 'before')).toBe(before);
    expect(await failAt(firstPart, k, 'after')).toBe(after);
  });
});

// Steps: read 3, cut 3, journal, part 3 (commits), hide, blocks 2..0, create .gz, appends, rename, fsync folder, remove.
describe('the one-block window: a failure at each step', () => {
  it.each<[number, Outcome, Outcome]>([
    [0, 'put back', 'put back'],
    [1, 'written back', 'written back'],
    [2, 'written back', 'written back'],
    // A part that failed at its end (its manifest write, say) did not commit: the block goes back too.
    [3, 'written back', 'written back'],
    [4, 'rerun finishes', 'rerun finishes'],
    [5, 'rerun finishes', 'rerun finishes'],
    [10, 'rerun finishes', 'done'],
  ])('step %i: before it acts: %s; once it has: %s', async (k, before, after) => {
    expect(await failAt('window', k, 'before')).toBe(before);
    expect(await failAt('window', k, 'after')).toBe(after);
  });
});

it("the window's undo writes the block back and leaves alone an earlier job's journal that \"create the journal\" refused", async () => {
  const j = newJob(200 * KiB);
  const facts = probeFile(j.file);
  const earlier = journalBeside(j.dir, facts);
  createJournal(earlier);
  fs.writeFileSync(earlier.manifest, '{}');
  closeJournal(earlier);
  const p = plan('window', 4);
  const job = { facts, plan: p as unknown as BlockPlan, outputPath: j.out, level: 6, storeName: true, log: quiet };
  const err = await startBlocks(job, blockSteps(p, facts.size), {}).then(() => 'none', (e: Error) => e.message);
  expect(err).toMatch(/holds the journal of an earlier block-mode job/);
  expect([fs.readFileSync(j.file).equals(j.data), fs.existsSync(earlier.manifest)]).toEqual([true, true]);
});
