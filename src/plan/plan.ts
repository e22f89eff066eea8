// Chooses how to write the .gz and free the original: a pure function of the facts and the options.
import { CmemError } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import { bytes } from '../text/format.js';
import type { FsFacts } from '../probe/filesystem.js';
import { quotaNote } from '../probe/quota.js';
import type { StashCandidate } from '../probe/stash.js';
import type { Options } from './options.js';

export type Strategy = 'beside' | 'stash' | 'in-place';

/** overwrite: rewrite FILE's own blocks (no allocation on ext4/xfs); unlink: free them, then write anew (CoW). */
export type Method = 'overwrite' | 'unlink';

export interface PlanInput {
  file: FileFacts;
  fs: FsFacts;
  /** Where the .gz ends up, and the filesystem there (the file's own unless -o points elsewhere). */
  outputPath: string;
  outputFs: FsFacts;
  stashes: StashCandidate[];
  compressedSize: number;
  memoryAvailable: number;
}

export interface Plan {
  strategy: Strategy;
  method: Method;
  reason: string;
  outputPath: string;
  stash?: StashCandidate;
  /** True when, for a moment, the only copy of some bytes is in this process's memory. */
  window: boolean;
  spaceNeeded: number;
  memoryNeeded: number;
  /** Bytes the filesystem holding FILE gets back. */
  freed: number;
}

/** Room kept free beyond the .gz itself, for the filesystem's own metadata and rounding. */
export const RESERVE = 1024 * 1024;
/** Node's own footprint, counted on top of the data we hold. */
export const BASELINE_MEMORY = 64 * 1024 * 1024;

export const roundUp = (n: number, unit: number) => Math.ceil(n / unit) * unit;

export function memoryNeeded(fileSize: number, compressedSize: number): number {
  return fileSize + compressedSize + BASELINE_MEMORY;
}

type Base = Pick<Plan, 'outputPath' | 'spaceNeeded' | 'memoryNeeded' | 'method' | 'window'>;

export function plan(input: PlanInput, opts: Options): Plan {
  const { file, fs: fileFs, outputFs, compressedSize } = input;
  const spaceNeeded = roundUp(compressedSize, outputFs.blockSize) + RESERVE;
  const sameFs = outputFs.dev === fileFs.dev;
  const gzBlocks = roundUp(compressedSize, fileFs.blockSize);
  const keepsFile = opts.keep || file.nlink > 1;
  const base: Base = { outputPath: input.outputPath, spaceNeeded, memoryNeeded: memoryNeeded(file.size, compressedSize), method: 'overwrite', window: false };

  // The .gz beside needs an inode too (filesystems that count none, btrfs say, report 0 of 0).
  const inodeBeside = outputFs.totalInodes === 0 || outputFs.freeInodes > 0;
  if (outputFs.freeBytes >= spaceNeeded && inodeBeside)
    return {
      ...base,
      strategy: 'beside',
      reason: `${sameFs ? 'the filesystem' : "the output's filesystem"} has room for the .gz`,
      freed: keepsFile ? 0 : file.allocated - (sameFs ? gzBlocks : 0),
    };
  if (!sameFs || keepsFile) {
    const why = !sameFs ? "the output's filesystem is full" : opts.keep ? '-k keeps the original' : 'the file has other hard links';
    throw new CmemError(
      'NO_SPACE',
      `${why}: ${outputFs.freeBytes} bytes free on ${outputFs.mountPoint}${quotaNote(outputFs.quota)}, the .gz needs ${spaceNeeded}`,
      !sameFs
        ? 'free space there or choose another -o'
        : opts.keep
          ? 'free some space, or drop -k: without it the .gz can take the original\'s place'
          : 'free some space: while the other hard links remain, the original\'s blocks stay in use',
    );
  }
  return rewritePlan(input, opts, base, gzBlocks);
}

/** No room beside: FILE is rewritten with its .gz, a safety copy on another filesystem first when one has room. */
function rewritePlan(input: PlanInput, opts: Options, base: Base, gzBlocks: number): Plan {
  const { file, fs: fileFs, compressedSize } = input;
  const freed = file.allocated - gzBlocks;
  if (freed <= 0) throw nothingToGain(file, compressedSize);
  // Overwriting from offset 0 fills the holes below the .gz's length with new blocks: at 0 free that fails, so
  // free the file's blocks first (as on copy-on-write filesystems) unless free space covers every hole.
  const holes = roundUp(file.size, fileFs.blockSize) - file.allocated;
  const method: Method = fileFs.copyOnWrite || Math.min(holes, gzBlocks) > fileFs.freeBytes ? 'unlink' : 'overwrite';
  const roomy = input.stashes.filter((s) => s.fs.freeBytes >= roundUp(compressedSize, s.fs.blockSize) + RESERVE);
  const stash = roomy.find((s) => !opts.safe || opts.allowRamStash || !s.fs.ramBacked);
  if (!stash && roomy.length > 0 && opts.safe)
    throw new CmemError(
      'NO_STASH',
      `no room for the .gz, and the only place with room for the safety copy is in RAM (${roomy[0].dir}, ${roomy[0].fs.type}): a power cut during the rewrite would lose the file, which --safe refuses`,
      'give --stash DIR on another disk with room, or add --allow-ram-stash to accept a copy that survives a kill -9 but not a power cut',
    );
  if (stash)
    return {
      ...base,
      method,
      strategy: 'stash',
      reason: `no room for the .gz beside the file${quotaNote(fileFs.quota)}; a copy goes to ${stash.dir} (${stash.fs.type}, ${stash.fs.ramBacked ? 'in RAM: it survives a kill -9, not a power cut' : 'on disk'}) first, then the file is rewritten in place`,
      stash,
      freed,
    };
  if (opts.safe)
    throw new CmemError(
      'NO_STASH',
      `no room for the .gz and no other filesystem with room for a stash copy (${compressedSize} bytes)`,
      'give --stash DIR on another filesystem with room, or drop --safe to accept a short in-place window',
    );
  return {
    ...base,
    method,
    strategy: 'in-place',
    reason: `no room for the .gz${quotaNote(fileFs.quota)} and no filesystem for a stash copy: the file is rewritten in place`,
    window: true,
    freed,
  };
}

/** No room beside and a .gz that takes as many blocks as the file: rewriting would free nothing, and could not fit. */
export function nothingToGain(file: FileFacts, compressedSize: number): CmemError {
  return new CmemError(
    'NO_GAIN',
    `${file.path}: compressing would free nothing: its .gz (${bytes(compressedSize)}) needs as many blocks as the ${bytes(file.allocated)} the file holds, ` +
      'and there is no room for it beside; left as it is',
    'the data is already compressed or random: free space another way (cmemgzip --scan lists the largest files)',
  );
}

/** An estimate is not a size: plan as if the .gz came out a quarter larger, and without refusing. */
export const ESTIMATE_MARGIN = 1.25;

/** The largest .gz a file can give: deflate's stored-block bound, a sync flush per 1 MiB block, header and trailer. */
export function worstCaseCompressed(size: number): number {
  return size + Math.ceil(size / 4096) + Math.ceil(size / 16384) + 10 * Math.ceil(size / 2 ** 20) + 4096;
}

/** The plan a size not yet known allows (times margin), or undefined where only the real size can tell. */
export function planByEstimate(input: PlanInput, opts: Options, margin = ESTIMATE_MARGIN): Plan | undefined {
  try {
    return plan({ ...input, compressedSize: Math.ceil(input.compressedSize * margin) }, opts);
  } catch {
    return undefined;
  }
}
