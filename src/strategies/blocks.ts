// Block mode, tail first, as its list of steps: the one place its order is written. --simulate prints it,
// the executor runs it, and the loss windows are read off its copies. A fresh run has two variants (the
// journal beside FILE or in a stash; the one-block window), a rerun continues from its journal (BlocksLeft).
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { at } from '../fs/pinned-folders.js';
import type { BlockPlan } from '../plan/block-plan.js';
import { blockStep, repeated, stashPlace, step, type Copy, type Place } from '../plan/steps.js';
import { createJournal, journalBeside, journalInStash, partPath, removeJournal, type PartRecord } from '../steps/journal.js';
import { STEP } from '../steps/step-names.js';
import { act, type Action } from './action.js';
import { appendPart, createGz, fsyncGzFolder, partsLeft, removeEmptied, renameGz, reopenGz } from './block-assembly.js';
import type { BlockCtx } from './block-ctx.js';
import { assertSaved, cutBlock, dropEmptyJournal, getReady, hide, lastBlock, readBlock, startJournal, writeBlockPart } from './block-cuts.js';
import { cutFirst, hideAfterWindow, writeBack } from './block-window.js';

export type { BlockCtx } from './block-ctx.js';
export type BlockAction = Action<BlockCtx>;

/** Block i's read and its part: the same for the tail and for each block below it. */
const readStep = (index: number, copies: readonly Copy[], bytes = 0): BlockAction => act(step(blockStep(index, 'read'), copies, bytes), { run: (c) => readBlock(c, index) });
const partStep = (index: number, copies: readonly Copy[], bytes = 0): BlockAction => act(step(blockStep(index, 'part'), copies, bytes), { run: writeBlockPart });
/** The cut comes after the part is recorded: the check says so before a byte is cut. */
const cutStep = (index: number, copies: readonly Copy[]): BlockAction => act(step(blockStep(index, 'cut'), copies), { check: (c) => assertSaved(c, index), run: cutBlock });

/** FILE off its name before the first cut: once done, the job is the journal's to finish (a rerun does). */
const hideStep = (copies: readonly Copy[]): BlockAction => act(step(STEP.hide, copies), { run: hide, commits: true });

/** The blocks FILE still holds below the last cut, tail first: each read, its part made durable, then cut. */
function blocksBelow(from: number, copies: readonly Copy[], bytes: number): BlockAction {
  return act(repeated({ from, to: 0, each: ['read', 'part', 'cut'] }, copies, bytes), {
    each: async function* (c: BlockCtx) {
      await getReady(c);
      for (let index = lastBlock(c); index >= 0; index--) yield* [readStep(index, copies), partStep(index, copies), cutStep(index, copies)];
    },
  });
}

/** Each part appended in order, at the length the journal records: never twice, never one skipped. */
function appendStep(part: PartRecord, copies: readonly Copy[]): BlockAction {
  return act(step(blockStep(part.index, 'append'), copies), {
    check: (c) => {
      if (c.gz!.parts[c.m.assembledParts] !== part || !fs.existsSync(at(partPath(c.journal!, part.index))))
        throw new CmemError('IO', `part ${part.index} is not the next one to append, or is gone; the .gz is left as the journal records it`, 'run cmemgzip --resume on the file');
    },
    run: (c) => appendPart(c, part),
  });
}

/** The parts, head first, joined into the .gz under its name; then the emptied FILE and the journal go. */
function assembly(parts: Place, gz: 'gz' | 'ram-gz', from: { create: boolean; first: number; last: number; rename: boolean }, bytes: number): BlockAction[] {
  const copies: Copy[] = [[parts, gz]];
  const steps: BlockAction[] = [];
  if (from.create) steps.push(act(step(STEP.createGz, [[parts]]), { run: createGz }));
  if (from.first <= from.last)
    steps.push(
      act(repeated({ from: from.first, to: from.last, each: ['append'] }, copies, bytes), {
        each: async function* (c: BlockCtx) {
          await reopenGz(c);
          for (const part of partsLeft(c)) yield appendStep(part, copies);
        },
      }),
    );
  // The rename and what follows wait out signals: a stop between them leaves two names for one job.
  if (from.rename) steps.push(act(step(STEP.rename, [[gz]]), { run: renameGz, held: true }), act(step(STEP.fsyncFolder, [[gz]]), { run: fsyncGzFolder, held: true }));
  steps.push(act(step(STEP.removeEmpty, [[gz]]), { run: removeEmptied, held: true }));
  return steps;
}

/** The tail in the one-block window: cut first, into the room its own part then takes; held against signals until the part is durable. */
function windowTail(tail: number, tailBytes: number, partBytes: number, parts: Place): BlockAction[] {
  const both: Copy[] = [['file', 'memory']];
  return [
    readStep(tail, [['file']], tailBytes),
    act(step(blockStep(tail, 'cut'), both), { run: cutFirst, undo: writeBack, held: true }),
    act(step(STEP.createJournal, both), {
      run: (c) => {
        const journal = journalBeside(c.facts.dir, c.facts);
        createJournal(journal);
        c.journal = journal;
      },
      held: true,
    }),
    act(step(blockStep(tail, 'part'), both, partBytes), { run: writeBlockPart, held: true, commits: true }),
    act(step(STEP.hide, [['file', parts]]), { run: hideAfterWindow }),
  ];
}

/**
 * Block mode, tail first: each block's part is durable before the block is cut, then the parts are joined
 * head first. The blocks below the tail are one repeated step, so the list stays short for any file. With
 * the first parts in a stash they count as there until the end: the journal moves beside FILE once cuts
 * have made room, which only the run can tell.
 */
export function blockSteps(p: Pick<BlockPlan, 'firstPart' | 'stash' | 'blockSize' | 'blocks' | 'estimatedCompressed'>, fileSize: number, gz: 'gz' | 'ram-gz' = 'gz'): BlockAction[] {
  const ratio = fileSize === 0 ? 1 : p.estimatedCompressed / fileSize;
  const tail = p.blocks - 1;
  const tailBytes = fileSize - tail * p.blockSize;
  const parts: Place = p.firstPart === 'stash' ? stashPlace(p.stash!.fs.ramBacked) : 'parts';
  const steps: BlockAction[] = [];
  if (p.firstPart === 'window') steps.push(...windowTail(tail, tailBytes, 2 * tailBytes * ratio, parts));
  else
    steps.push(
      act(step(STEP.createJournal, [['file']]), { run: (c) => startJournal(c, p.firstPart === 'stash' ? journalInStash(p.stash!.dir, c.facts) : journalBeside(c.facts.dir, c.facts)), undo: dropEmptyJournal }),
      hideStep([['file']]),
      readStep(tail, [['file']], tailBytes),
      partStep(tail, [['file']], 2 * tailBytes * ratio),
      cutStep(tail, [['file', parts]]),
    );
  const below = fileSize - tailBytes;
  if (tail > 0) steps.push(blocksBelow(tail - 1, [['file', parts]], below + 2 * below * ratio));
  steps.push(...assembly(parts, gz, { create: true, first: 0, last: tail, rename: true }, 2 * p.estimatedCompressed));
  return steps;
}

/** How far a stopped block-mode job got: FILE's bytes left to cut, the parts, and the ones already in the .gz. */
export interface BlocksLeft {
  remaining: number;
  blockSize: number;
  parts: number;
  assembled: number;
  compressedParts: number;
  partsIn: 'parts' | 'stash' | 'ram-stash';
  /** FILE is off its name already (or gone): no writer by name reaches what is left to cut. */
  hidden: boolean;
  /** The .gz has its name already: only the emptied FILE and the journal are left to remove. */
  renamed: boolean;
  /** FILE is gone from both its names: the .gz was whole under its name, only the journal is left. */
  gone?: boolean;
}

/** A rerun of a stopped block-mode job: the blocks FILE still holds, tail first, then the assembly from where it stopped. */
export function blockResumeSteps(b: BlocksLeft, gz: 'gz' | 'ram-gz' = 'gz'): BlockAction[] {
  if (b.gone)
    return [
      act(step(STEP.removeEmpty, [[gz]]), {
        run: (c) => {
          removeJournal(c.journal!);
          c.say.info(`${c.outputPath} was already complete; removed the journal`);
        },
        held: true,
      }),
    ];
  const steps: BlockAction[] = [];
  // A job killed before its empty file's one block was saved still owes that (empty) member.
  const left = b.remaining === 0 && b.parts === 0 && !b.renamed ? 1 : Math.ceil(b.remaining / b.blockSize);
  if (!b.hidden) steps.push(hideStep([['file', b.partsIn]]));
  if (left > 0) steps.push(blocksBelow(left - 1, [['file', b.partsIn]], 2 * b.remaining));
  const total = b.parts + left;
  steps.push(...assembly(b.partsIn, gz, { create: b.assembled === 0, first: b.assembled, last: total - 1, rename: !b.renamed }, 2 * b.compressedParts));
  return steps;
}

