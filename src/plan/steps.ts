// Each strategy as the list of steps it runs, each with where complete copies of FILE's bytes are while
// it runs: the one list --simulate prints, the run reports as it goes, and the loss windows are read from.
import path from 'node:path';
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

/** Blocks from..to done alike, as one step of the list. */
export function repeated(r: Repeat, copies: readonly Copy[], bytes: number): Step {
  const what = r.each.map((w) => blockStep(0, w).replace(/^block 0: /, '')).join('; ');
  return { name: r.from === r.to ? `block ${r.from}: ${what}` : `blocks ${r.from} to ${r.to}, each: ${what}`, copies, bytes, repeat: r };
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
