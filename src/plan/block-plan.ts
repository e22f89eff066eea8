// Plans block mode (files larger than memory, or -m): block size, count, peak memory, and where the
// first part goes when the disk is full. A pure function of the facts and the options.
import { CmemError } from '../errors.js';
import { bytes } from '../text/format.js';
import type { FileFacts } from '../probe/file.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { StashCandidate } from '../probe/stash.js';
import type { Options } from './options.js';
import { BASELINE_MEMORY, memoryNeeded, nothingToGain, RESERVE, roundUp } from './plan.js';

/** beside: room for the first part next to FILE; stash: it goes to another filesystem; window: memory only for one block. */
export type FirstPart = 'beside' | 'stash' | 'window';

export interface BlockPlan {
  blockSize: number;
  blocks: number;
  /** Why block mode, and why this block size. */
  reason: string;
  firstPart: FirstPart;
  stash?: StashCandidate;
  window: boolean;
  /** Free bytes needed on FILE's filesystem before the first truncation (0 when the stash or window covers it). */
  spaceNeeded: number;
  memoryNeeded: number;
  estimatedCompressed: number;
  freed: number;
}

export interface BlockPlanInput {
  file: FileFacts;
  fs: FsFacts;
  stashes: StashCandidate[];
  estimatedCompressed: number;
  memoryAvailable: number;
  cores: number;
}

/** Whole-file mode needs the file and its .gz in memory at once; beyond the available memory, blocks. */
export function needsBlockMode(fileSize: number, estimatedCompressed: number, memoryAvailable: number, opts: Options): boolean {
  return opts.memory !== undefined || memoryNeeded(fileSize, estimatedCompressed) > memoryAvailable;
}

const MIB = 2 ** 20;
/** The journal beside FILE: its folder, the manifest and its temporary, and one part at a time. */
export const JOURNAL_INODES = 4;
const MAX_AUTO_BLOCK = 64 * MIB;
const MIN_AUTO_BLOCK = MIB;

/** Peak memory of block mode: one block read, its .gz, the read-back for verification, and Node itself. */
export function blockMemory(blockSize: number, cores: number): number {
  return blockSize * 2 + Math.min(blockSize, cores * 2 * MIB) + BASELINE_MEMORY;
}

export function chooseBlockSize(memoryAvailable: number, opts: Options, cores: number): { size: number; why: string } {
  if (opts.memory !== undefined) return { size: opts.memory, why: `-m sets the block size to ${bytes(opts.memory)}` };
  const fits = Math.floor((memoryAvailable - BASELINE_MEMORY) / 3 / MIB) * MIB;
  const size = Math.max(MIN_AUTO_BLOCK, Math.min(MAX_AUTO_BLOCK, fits));
  return { size, why: `the file and its .gz do not fit in the ${Math.round(memoryAvailable / MIB)} MiB available; ${size / MIB} MiB blocks keep memory near ${Math.round(blockMemory(size, cores) / MIB)} MiB` };
}

export function planBlocks(input: BlockPlanInput, opts: Options): BlockPlan {
  const { file, fs: fileFs, estimatedCompressed, cores } = input;
  const { size: blockSize, why } = chooseBlockSize(input.memoryAvailable, opts, cores);
  const memory = blockMemory(blockSize, cores);
  if (memory > input.memoryAvailable)
    throw new CmemError(
      'NO_MEMORY',
      `blocks of ${bytes(blockSize)} need about ${bytes(memory)} of memory, ${bytes(input.memoryAvailable)} are available`,
      'give a smaller -m, such as -m 16M',
    );
  const blocks = Math.max(1, Math.ceil(file.size / blockSize));
  const lastBlock = file.size - (blocks - 1) * blockSize;
  const ratio = file.size === 0 ? 1 : estimatedCompressed / file.size;
  // The tail block's part, the journal folder and its manifest must fit before anything is freed.
  const firstPartSize = roundUp(Math.ceil(lastBlock * ratio * 1.1) + 64 * 1024, fileFs.blockSize) + 2 * fileFs.blockSize;
  const base = { blockSize, blocks, reason: why, memoryNeeded: memory, estimatedCompressed };
  const freed = opts.keep ? 0 : file.allocated - roundUp(estimatedCompressed, fileFs.blockSize);
  // Parts larger than the blocks they replace eat the free space block by block, until a part no longer fits.
  if (freed <= 0 && fileFs.freeBytes < roundUp(estimatedCompressed, fileFs.blockSize) + RESERVE && !opts.keep)
    throw nothingToGain(file, estimatedCompressed);
  if (opts.keep) throw new CmemError('BAD_OPTION', 'block mode frees the original as it goes; -k cannot be honoured', 'drop -k, or copy the file elsewhere first');
  if (file.nlink > 1) throw new CmemError('HARD_LINKS', 'block mode truncates the file, which would also empty its other hard links', 'compress one of the other names, or remove the extra links');
  // Before the first cut: the .gz needs an inode on FILE's filesystem at the end, or its parts are stranded
  // in the stash (filesystems that count no inodes, btrfs say, report 0 of 0). The journal beside needs more.
  const countsInodes = fileFs.totalInodes > 0;
  if (countsInodes && fileFs.freeInodes < 1)
    throw new CmemError(
      'NO_SPACE',
      `no free inode on ${fileFs.mountPoint}: block mode needs one for the .gz before it cuts anything; nothing was touched`,
      'free an inode there (remove a small file), or let cmemgzip compress the file whole in place (drop -m; it needs no new inode) if it fits in memory',
    );
  const journalFits = !countsInodes || fileFs.freeInodes >= JOURNAL_INODES + 1;
  if (journalFits && fileFs.freeBytes >= firstPartSize + RESERVE)
    return { ...base, firstPart: 'beside', window: false, spaceNeeded: firstPartSize + RESERVE, freed };
  const stash = input.stashes.find(
    (s) => s.fs.freeBytes >= roundUp(Math.ceil(lastBlock * ratio * 1.1) + 64 * 1024, s.fs.blockSize) + RESERVE && (!opts.safe || opts.allowRamStash || !s.fs.ramBacked),
  );
  if (stash) return { ...base, firstPart: 'stash', stash, window: false, spaceNeeded: 0, freed };
  if (opts.safe)
    throw new CmemError('NO_STASH', 'no room for the first block and no other disk with room for a stash copy (--safe counts none in RAM)', 'give --stash DIR on another disk, add --allow-ram-stash, or drop --safe to accept a one-block window');
  return { ...base, firstPart: 'window', window: true, spaceNeeded: 0, freed };
}
