// Block mode's plan: block count and size, where the first part goes, its refusals, and the automatic block size.
import { expect, it } from 'vitest';
import type { CmemError } from '../src/errors.js';
import { blockMemory, chooseBlockSize, needsBlockMode, planBlocks, type BlockPlanInput } from '../src/plan/block-plan.js';
import { DEFAULT_OPTIONS, type Options } from '../src/plan/options.js';
import { BASELINE_MEMORY, RESERVE } from '../src/plan/plan.js';
import type { FileFacts } from '../src/probe/file.js';
import type { FsFacts } from '../src/probe/filesystem.js';
import type { StashCandidate } from '../src/probe/stash.js';

const KiB = 1024;
const MiB = 2 ** 20;
const GiB = 2 ** 30;
const fsFacts = (over: Partial<FsFacts> = {}): FsFacts => ({
  type: 'ext4', mountPoint: '/var', dev: 1, blockSize: 4096, totalBytes: 64 * GiB, freeBytes: 0,
  totalInodes: 1000, freeInodes: 100, copyOnWrite: false, ramBacked: false, ...over,
});
const facts = (over: Partial<FileFacts> = {}): FileFacts => ({
  path: '/var/log/big.log', dir: '/var/log', base: 'big.log', kind: 'file', dev: 1, ino: 12, birth: '0', size: 40 * GiB, nlink: 1,
  uid: 0, gid: 0, mode: 0o100644, atimeMs: 0, mtimeMs: 0, mtimeNs: 0n, ctimeNs: 0n, ...over,
  // Not sparse unless a test says so: every byte of the size has its block.
  allocated: over.allocated ?? Math.ceil((over.size ?? 40 * GiB) / 4096) * 4096,
});
const shm = (freeBytes: number): StashCandidate => ({
  dir: '/dev/shm', fs: fsFacts({ type: 'tmpfs', mountPoint: '/dev/shm', dev: 2, freeBytes, ramBacked: true }), explicit: false,
});
const input = (over: Partial<BlockPlanInput> = {}): BlockPlanInput => {
  const file = over.file ?? facts();
  return { file, fs: fsFacts(), stashes: [], estimatedCompressed: Math.round(file.size / 10), memoryAvailable: 2 * GiB, cores: 2, ...over };
};
const opts = (over: Partial<Options> = {}): Options => ({ ...DEFAULT_OPTIONS, ...over });
const m = (size: number) => opts({ memory: size });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as CmemError).code;
  }
  return 'no refusal';
};
/** Free space that just fits the first part beside, read off a plan made with plenty of room. */
const besideNeeds = (i: BlockPlanInput, o: Options) => planBlocks({ ...i, fs: fsFacts({ freeBytes: GiB }) }, o).spaceNeeded;

it.each([
  ['10 MiB in 1 MiB blocks', 10 * MiB, MiB, 10],
  ['one byte more', 10 * MiB + 1, MiB, 11],
  ['smaller than one block', 1000, MiB, 1],
  ['exactly one block', 64 * KiB, 64 * KiB, 1],
  ['exactly two blocks', 128 * KiB, 64 * KiB, 2],
  ['empty: still one (empty) block', 0, 64 * KiB, 1],
  ['40 GiB in 64 MiB blocks', 40 * GiB, 64 * MiB, 640],
])('%s: %d bytes, -m %d -> %d blocks', (_what, size, block, blocks) => {
  const p = planBlocks(input({ file: facts({ size }), fs: fsFacts({ freeBytes: GiB }) }), m(block));
  expect({ blocks: p.blocks, blockSize: p.blockSize }).toEqual({ blocks, blockSize: block });
});

it.each([
  ['room beside: beside', input({ fs: fsFacts({ freeBytes: GiB }) }), opts(), 'beside'],
  ['full, a stash with room: stash', input({ stashes: [shm(GiB)] }), opts(), 'stash'],
  ['full, only a full stash: window', input({ stashes: [shm(RESERVE)] }), opts(), 'window'],
  ['full, no stash: window', input(), opts(), 'window'],
  ['full, --no-stash (no candidates): window', input(), opts({ noStash: true }), 'window'],
  ['room beside and a stash: beside wins', input({ fs: fsFacts({ freeBytes: GiB }), stashes: [shm(GiB)] }), opts(), 'beside'],
])('%s', (_what, i, o, firstPart) => {
  const p = planBlocks(i, { ...o, memory: 16 * MiB });
  expect(p.firstPart).toBe(firstPart);
  expect(p.window).toBe(firstPart === 'window');
  expect(p.spaceNeeded > 0).toBe(firstPart === 'beside');
  expect(p.stash).toBe(firstPart === 'stash' ? i.stashes[0] : undefined);
});

it('beside needs room for one compressed tail block plus the reserve, not a byte less', () => {
  const o = m(16 * MiB);
  const needs = besideNeeds(input(), o);
  expect(needs).toBeGreaterThan(RESERVE + 16 * MiB * 0.1);
  expect(needs).toBeLessThan(RESERVE + 16 * MiB);
  expect(planBlocks(input({ fs: fsFacts({ freeBytes: needs }) }), o).firstPart).toBe('beside');
  expect(planBlocks(input({ fs: fsFacts({ freeBytes: needs - 1 }) }), o).firstPart).toBe('window');
});

it('sizes the first part on the tail block, which may be much shorter than a block', () => {
  const o = m(64 * MiB);
  const short = besideNeeds(input({ file: facts({ size: 64 * MiB * 3 + 1000 }) }), o);
  const whole = besideNeeds(input({ file: facts({ size: 64 * MiB * 4 }) }), o);
  expect(short).toBeLessThan(whole);
});

it.each([
  ['--safe, no stash', input(), opts({ safe: true }), 'NO_STASH'],
  ['--safe, only a full stash', input({ stashes: [shm(RESERVE)] }), opts({ safe: true }), 'NO_STASH'],
  ['--safe with a stash in RAM, accepted', input({ stashes: [shm(GiB)] }), opts({ safe: true, allowRamStash: true }), 'no refusal'],
  ['--safe with a stash in RAM only', input({ stashes: [shm(GiB)] }), opts({ safe: true }), 'NO_STASH'],
  ['--safe with room beside', input({ fs: fsFacts({ freeBytes: GiB }) }), opts({ safe: true }), 'no refusal'],
  ['-k, even with room', input({ fs: fsFacts({ freeBytes: GiB }) }), opts({ keep: true }), 'BAD_OPTION'],
  ['hard links, even with -f and room', input({ file: facts({ nlink: 2 }), fs: fsFacts({ freeBytes: GiB }) }), opts({ force: true }), 'HARD_LINKS'],
  ['-m 1T: a block cannot fit in memory', input(), opts({ memory: 2 ** 40 }), 'NO_MEMORY'],
  ['-m equal to the memory available', input(), opts({ memory: 2 * GiB }), 'NO_MEMORY'],
  ['no -m and too little memory for even a 1 MiB block', input({ memoryAvailable: BASELINE_MEMORY + 2 * MiB }), opts(), 'NO_MEMORY'],
])('%s: %s', (_what, i, o, code) => expect(codeOf(() => planBlocks(i, { memory: 16 * MiB, ...o }))).toBe(code));

it('NO_MEMORY says what was asked, what is there, and what to do', () => {
  const i = input();
  expect(() => planBlocks(i, m(2 ** 40))).toThrow(`(${new Intl.NumberFormat('en-US').format(i.memoryAvailable)} bytes) are available`);
  try {
    planBlocks(i, m(2 ** 40));
  } catch (err) {
    expect((err as CmemError).hint).toMatch(/-m 16M/);
  }
});

it.each([
  ['-m', 1000, 100, 10 * GiB, m(MiB), true],
  ['file and .gz fit', 1000 * MiB, 100 * MiB, 2 * GiB, opts(), false],
  ['file, .gz and baseline just fit', 1000 * MiB, 100 * MiB, 1100 * MiB + BASELINE_MEMORY, opts(), false],
  ['one byte short', 1000 * MiB, 100 * MiB, 1100 * MiB + BASELINE_MEMORY - 1, opts(), true],
  ['40 GiB on 2 GiB', 40 * GiB, 4 * GiB, 2 * GiB, opts(), true],
])('needsBlockMode, %s: %s', (_what, size, gz, memory, o, expected) => expect(needsBlockMode(size, gz, memory, o)).toBe(expected));

it.each([
  ['plenty of memory: capped at 64 MiB', 20 * GiB, 64 * MiB],
  ['2 GiB: capped at 64 MiB', 2 * GiB, 64 * MiB],
  ['256 MiB: (256 - 64) / 3 = 64 MiB', 256 * MiB, 64 * MiB],
  ['160 MiB: 32 MiB', 160 * MiB, 32 * MiB],
  ['100 MiB: 12 MiB, whole MiB', 100 * MiB, 12 * MiB],
  ['70 MiB: (70 - 64) / 3 = 2 MiB', 70 * MiB, 2 * MiB],
  ['66 MiB: the 1 MiB floor', 66 * MiB, MiB],
  ['less than the baseline: still the floor (the plan refuses)', 10 * MiB, MiB],
])('automatic block size, %s', (_what, memory, size) => expect(chooseBlockSize(memory, opts(), 2).size).toBe(size));

it('-m is taken as the block size, whatever the memory', () => expect(chooseBlockSize(100 * MiB, m(3 * MiB + 5), 2).size).toBe(3 * MiB + 5));

it('an automatic block size always fits the memory it was chosen for', () => {
  for (let memory = 68 * MiB; memory < 8 * GiB; memory = Math.ceil(memory * 1.07)) {
    for (const cores of [1, 2, 16]) {
      const p = planBlocks(input({ memoryAvailable: memory, cores, fs: fsFacts({ freeBytes: GiB }) }), opts());
      expect(p.memoryNeeded, `${memory} bytes, ${cores} cores`).toBeLessThanOrEqual(memory);
      expect(p.blockSize % MiB).toBe(0);
    }
  }
});

it('peak memory: two blocks (read and compressed), the read-back, and the baseline', () => {
  expect(blockMemory(16 * MiB, 2)).toBe(32 * MiB + 4 * MiB + BASELINE_MEMORY);
  expect(blockMemory(MiB, 16)).toBe(3 * MiB + BASELINE_MEMORY);
});

it('says why block mode, and what it frees', () => {
  const auto = planBlocks(input({ fs: fsFacts({ freeBytes: GiB }) }), opts());
  expect(auto.reason).toMatch(/do not fit in the 2048 MiB available; 64 MiB blocks/);
  expect(planBlocks(input({ fs: fsFacts({ freeBytes: GiB }) }), m(MiB)).reason).toMatch(/-m sets the block size to 1 MiB \(1,048,576 bytes\)/);
  expect(auto.freed).toBe(40 * GiB - 4 * GiB);
});

it.each([
  ['no free inode: refused before any cut', fsFacts({ freeBytes: GiB, freeInodes: 0 }), /no free inode on \/var/],
  ['room for bytes but too few inodes for the journal beside: the stash takes the first part', fsFacts({ freeBytes: GiB, freeInodes: 2 }), 'stash'],
  ['a filesystem that counts no inodes (btrfs): beside', fsFacts({ type: 'btrfs', freeBytes: GiB, totalInodes: 0, freeInodes: 0 }), 'beside'],
])('inodes: %s', (_what, fileFs, expected) => {
  const plan = () => planBlocks(input({ fs: fileFs, stashes: [shm(GiB)] }), m(64 * MiB));
  if (expected instanceof RegExp) expect(plan).toThrow(expected);
  else expect(plan().firstPart).toBe(expected);
});

it.each([
  ['full disk, incompressible', input({ estimatedCompressed: 40 * GiB + MiB, stashes: [shm(GiB)] }), 'NO_GAIN'],
  ['full disk, a sparse file holding less than its .gz', input({ file: facts({ allocated: GiB }), stashes: [shm(GiB)] }), 'NO_GAIN'],
  ['room for the whole .gz, incompressible', input({ estimatedCompressed: 40 * GiB + MiB, fs: fsFacts({ freeBytes: 41 * GiB }) }), 'no refusal'],
])('nothing to gain, %s: %s', (_what, i, code) => expect(codeOf(() => planBlocks(i, m(16 * MiB)))).toBe(code));

it('frees the blocks a sparse file holds, not its size', () =>
  expect(planBlocks(input({ file: facts({ allocated: 8 * GiB }), stashes: [shm(GiB)] }), m(16 * MiB)).freed).toBe(8 * GiB - 4 * GiB));
