// Each strategy as the list of steps it runs, each with where complete copies of FILE's bytes are while
// it runs: the one list --simulate prints, the run reports as it goes, and the loss windows are read from.
import path from 'node:path';
import type { BlockPlan } from './block-plan.js';
import { STEP } from '../steps/step-names.js';

/**
 * Where FILE's bytes can be: FILE itself, the .gz (or its temporary) on the output's disk or (-o onto
 * tmpfs from a disk) in RAM, block mode's parts beside FILE, a safety copy on another disk or in RAM, and
 * this process's memory.
 */
export type Place = 'file' | 'gz' | 'ram-gz' | 'parts' | 'stash' | 'ram-stash' | 'memory';

/** Places that hold every byte of FILE between them: one place, or FILE's head and the parts of its tail. */
export type Copy = readonly Place[];

export interface Step {
  name: string;
  /** The complete copies that exist for the whole of the step. */
  copies: readonly Copy[];
  /** Bytes the step writes or reads back: what its duration is estimated from. */
  bytes: number;
  /** Set on a step that stands for the same work on a run of blocks. */
  repeat?: Repeat;
}

export const blockStep = (index: number, what: BlockWork) =>
  `block ${index}: ${{ read: 'read and compress', part: 'write its part (fsync, verify, manifest)', cut: 'cut it off FILE, fsync', append: 'append its part to the .gz, fsync, check' }[what]}`;

export const step = (name: string, copies: readonly Copy[], bytes = 0): Step => ({ name, copies, bytes });
export const stashPlace = (ramBacked: boolean): Place => (ramBacked ? 'ram-stash' : 'stash');

/** The temporary's life, from the first byte to its durable name: shared by every strategy that writes one. */
export function tempSteps(before: readonly Copy[], after: readonly Copy[], size: number): Step[] {
  return [step(STEP.writeTemp, before, size), step(STEP.fsyncTemp, before), step(STEP.verify, after, size), step(STEP.rename, after), step(STEP.fsyncFolder, after)];
}

/** What the lists depend on besides the plan: sizes, -k, and where the .gz lands. */
export interface StepFacts {
  size: number;
  compressedSize: number;
  keep?: boolean;
  gz?: 'gz' | 'ram-gz';
}

/** The .gz counts as in RAM only when FILE is not: a tmpfs FILE is lost to a power cut whatever we do. */
export const gzPlace = (fileFs: { ramBacked: boolean }, outputFs: { ramBacked: boolean }): 'gz' | 'ram-gz' => (outputFs.ramBacked && !fileFs.ramBacked ? 'ram-gz' : 'gz');

/** What one block goes through: the kinds of its steps, named by blockStep. */
export type BlockWork = 'read' | 'part' | 'cut' | 'append';

/** Blocks from..to (either way) done alike, as one step: the run reports each block's steps by their own names. */
export interface Repeat {
  from: number;
  to: number;
  each: readonly BlockWork[];
}

/** The name the run reports for the k-th step inside a repeated step. */
export function repeatedName(r: Repeat, k: number): string {
  const dir = r.to >= r.from ? 1 : -1;
  return blockStep(r.from + dir * Math.floor(k / r.each.length), r.each[k % r.each.length]);
}

export const repeatLength = (r: Repeat) => (Math.abs(r.to - r.from) + 1) * r.each.length;

function repeated(r: Repeat, copies: readonly Copy[], bytes: number): Step {
  const what = r.each.map((w) => blockStep(0, w).replace(/^block 0: /, '')).join('; ');
  return { name: r.from === r.to ? `block ${r.from}: ${what}` : `blocks ${r.from} to ${r.to}, each: ${what}`, copies, bytes, repeat: r };
}

/**
 * Block mode, tail first: each block's part is durable before the block is cut, then the parts are joined
 * head first. The blocks below the tail are one repeated step, so the list stays short for any file. With
 * the first parts in a stash they count as there until the end: the journal moves beside FILE once cuts
 * have made room, which only the run can tell.
 */
export function blockSteps(p: Pick<BlockPlan, 'firstPart' | 'stash' | 'blockSize' | 'blocks' | 'estimatedCompressed'>, fileSize: number, gz: 'gz' | 'ram-gz' = 'gz'): Step[] {
  const ratio = fileSize === 0 ? 1 : p.estimatedCompressed / fileSize;
  const tail = p.blocks - 1;
  const tailBytes = fileSize - tail * p.blockSize;
  const parts: Place = p.firstPart === 'stash' ? stashPlace(p.stash!.fs.ramBacked) : 'parts';
  const steps: Step[] = [];
  if (p.firstPart !== 'window') steps.push(step(STEP.createJournal, [['file']]), step(STEP.hide, [['file']]));
  steps.push(step(blockStep(tail, 'read'), [['file']], tailBytes));
  if (p.firstPart === 'window')
    // The one-block window: the tail is cut first, into the room its own part then takes.
    steps.push(
      step(blockStep(tail, 'cut'), [['file', 'memory']]),
      step(STEP.createJournal, [['file', 'memory']]),
      step(blockStep(tail, 'part'), [['file', 'memory']], 2 * tailBytes * ratio),
      step(STEP.hide, [['file', parts]]),
    );
  else steps.push(step(blockStep(tail, 'part'), [['file']], 2 * tailBytes * ratio), step(blockStep(tail, 'cut'), [['file', parts]]));
  const below = fileSize - tailBytes;
  if (tail > 0) steps.push(repeated({ from: tail - 1, to: 0, each: ['read', 'part', 'cut'] }, [['file', parts]], below + 2 * below * ratio));
  steps.push(step(STEP.createGz, [[parts]]), repeated({ from: 0, to: tail, each: ['append'] }, [[parts, gz]], 2 * p.estimatedCompressed));
  steps.push(step(STEP.rename, [[gz]]), step(STEP.fsyncFolder, [[gz]]), step(STEP.removeEmpty, [[gz]]));
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
}

/** A rerun of a stopped block-mode job: the blocks FILE still holds, tail first, then the assembly from where it stopped. */
export function blockResumeSteps(b: BlocksLeft, gz: 'gz' | 'ram-gz' = 'gz'): Step[] {
  const steps: Step[] = [];
  const left = Math.ceil(b.remaining / b.blockSize);
  if (!b.hidden) steps.push(step(STEP.hide, [['file', b.partsIn]]));
  if (left > 0) steps.push(repeated({ from: left - 1, to: 0, each: ['read', 'part', 'cut'] }, [['file', b.partsIn]], 2 * b.remaining));
  const total = b.parts + left;
  if (b.assembled === 0) steps.push(step(STEP.createGz, [[b.partsIn]]));
  if (b.assembled < total) steps.push(repeated({ from: b.assembled, to: total - 1, each: ['append'] }, [[b.partsIn, gz]], 2 * b.compressedParts));
  if (!b.renamed) steps.push(step(STEP.rename, [[gz]]), step(STEP.fsyncFolder, [[gz]]));
  steps.push(step(STEP.removeEmpty, [[gz]]));
  return steps;
}

const WORDS: Record<Place, string> = {
  file: 'FILE',
  gz: 'the .gz',
  'ram-gz': 'the .gz in RAM',
  parts: 'the parts beside FILE',
  stash: 'the safety copy on another disk',
  'ram-stash': 'the safety copy in RAM',
  memory: "this process's memory",
};

/** "FILE; this process's memory", or "FILE's head with the parts" for a copy split in two. */
export function describeCopies(copies: readonly Copy[]): string {
  if (copies.length === 0) return 'nowhere';
  return copies.map((c) => (c.length === 1 ? WORDS[c[0]] : c.map((p) => (p === 'file' ? "FILE's head" : WORDS[p])).join(' with '))).join('; ');
}

/** The plan's steps for --json: names, and copies as places joined by "+". */
export const stepsJson = (steps: readonly Step[]) => steps.map((s) => ({ name: s.name, copies: s.copies.map((c) => c.join('+')), ...(s.repeat ? { repeat: s.repeat } : {}) }));

/** A RAM-backed safety copy's folder, for the words of a power-cut window. */
export const ramPlace = (s?: { dir: string; fs: { type: string; ramBacked: boolean } }) => (s?.fs.ramBacked ? { dir: path.resolve(s.dir), type: s.fs.type } : undefined);
