// plan(): the strategy, method, window and figures chosen from fabricated facts.
import { expect, it } from 'vitest';
import { CmemError } from '../src/errors.js';
import { DEFAULT_OPTIONS, type Options } from '../src/plan/options.js';
import crypto from 'node:crypto';
import { plan, planByEstimate, RESERVE, worstCaseCompressed, type PlanInput } from '../src/plan/plan.js';
import { compressSource } from '../src/steps/compress.js';
import { crc32 } from '../src/steps/gzip-format.js';
import type { StashCandidate } from '../src/probe/stash.js';
import { file, fsFacts, MiB } from './plan-facts.js';

const COMPRESSED = 10 * MiB + 1; // rounds up to 10 MiB + 4 KiB on 4 KiB blocks
const NEEDED = 10 * MiB + 4096 + RESERVE;
const GIB_FREE = 2 ** 30;
const shm: StashCandidate = { dir: '/dev/shm', fs: fsFacts({ type: 'tmpfs', mountPoint: '/dev/shm', dev: 2, freeBytes: 64 * MiB, ramBacked: true }), explicit: false };
const fullShm: StashCandidate = { ...shm, dir: '/run/shm', fs: { ...shm.fs, dev: 3, freeBytes: NEEDED - 1 } };

const input = (over: Partial<PlanInput> = {}): PlanInput => {
  const fs = over.fs ?? fsFacts();
  return { file, fs, outputPath: `${file.path}.gz`, outputFs: fs, stashes: [], compressedSize: COMPRESSED, memoryAvailable: 8192 * MiB, ...over };
};
const opts = (over: Partial<Options> = {}): Options => ({ ...DEFAULT_OPTIONS, ...over });
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as CmemError).code;
  }
  return 'no refusal';
};

it.each([
  ['room beside', 'beside', input({ fs: fsFacts({ freeBytes: NEEDED }) })],
  ['no room, a stash with room', 'stash', input({ stashes: [shm] })],
  ['no room, no stash', 'in-place', input()],
  ['no room, only a full stash', 'in-place', input({ stashes: [fullShm] })],
  ['-o elsewhere with room', 'beside', input({ outputFs: fsFacts({ dev: 9, freeBytes: NEEDED }) })],
])('%s: %s', (_what, strategy, facts) => expect(plan(facts, opts()).strategy).toBe(strategy));

it('needs the rounded .gz plus the reserve beside, not a byte less', () => {
  expect(plan(input({ fs: fsFacts({ freeBytes: NEEDED }) }), opts()).spaceNeeded).toBe(NEEDED);
  expect(plan(input({ fs: fsFacts({ freeBytes: NEEDED - 1 }) }), opts()).strategy).toBe('in-place');
});

it('takes the first stash with room, skipping full ones', () =>
  expect(plan(input({ stashes: [fullShm, shm] }), opts()).stash).toBe(shm));

it.each([
  ['beside', false, input({ fs: fsFacts({ freeBytes: NEEDED }) })],
  ['stash', false, input({ stashes: [shm] })],
  ['in-place', true, input()],
])('%s: a loss window is %s', (_s, window, facts) => expect(plan(facts, opts()).window).toBe(window));

it.each([
  ['--safe with no stash', 'NO_STASH', input(), opts({ safe: true })],
  ['--safe with only full stashes', 'NO_STASH', input({ stashes: [fullShm] }), opts({ safe: true })],
  ['-k with no room', 'NO_SPACE', input({ stashes: [shm] }), opts({ keep: true })],
  ['other hard links with no room', 'NO_SPACE', input({ file: { ...file, nlink: 2 }, stashes: [shm] }), opts({ force: true })],
  ['a full -o filesystem', 'NO_SPACE', input({ outputFs: fsFacts({ dev: 9, freeBytes: NEEDED - 1 }), stashes: [shm] }), opts()],
  ['--safe with a stash on a disk', 'no refusal', input({ stashes: [{ ...shm, fs: { ...shm.fs, type: 'ext4', ramBacked: false } }] }), opts({ safe: true })],
  ['--safe with a stash in RAM only', 'NO_STASH', input({ stashes: [shm] }), opts({ safe: true })],
  ['-k with room', 'no refusal', input({ fs: fsFacts({ freeBytes: NEEDED }) }), opts({ keep: true })],
])('%s: %s', (_what, code, facts, o) => expect(refusal(() => plan(facts, o))).toBe(code));

it('says which filesystem is full and what it needs', () =>
  expect(() => plan(input({ outputFs: fsFacts({ dev: 9, mountPoint: '/backup', freeBytes: 5 }) }), opts())).toThrow(
    `5 bytes free on /backup, the .gz needs ${NEEDED}`,
  ));

it.each([
  ['ext4', 'overwrite', false],
  ['xfs', 'overwrite', false],
  ['btrfs', 'unlink', true],
  ['zfs', 'unlink', true],
])('rewrites in place on %s by %s', (type, method, copyOnWrite) => {
  const fs = fsFacts({ type, copyOnWrite });
  expect(plan(input({ fs, outputFs: fs, stashes: [shm] }), opts()).method).toBe(method);
  expect(plan(input({ fs, outputFs: fs }), opts()).method).toBe(method);
});

const allocated = 100 * MiB;
const gz = 10 * MiB + 4096;
it.each([
  ['beside', allocated - gz, input({ fs: fsFacts({ freeBytes: NEEDED }) }), opts()],
  ['beside, -k', 0, input({ fs: fsFacts({ freeBytes: NEEDED }) }), opts({ keep: true })],
  ['beside, other hard links', 0, input({ file: { ...file, nlink: 3 }, fs: fsFacts({ freeBytes: NEEDED }) }), opts({ force: true })],
  ['beside, -o elsewhere', allocated, input({ outputFs: fsFacts({ dev: 9, freeBytes: NEEDED }) }), opts()],
  ['stash', allocated - gz, input({ stashes: [shm] }), opts()],
  ['in-place', allocated - gz, input(), opts()],
  ['in-place, odd file size', allocated - gz, input({ file: { ...file, size: allocated - 5 } }), opts()],
])('%s frees %d bytes', (_what, freed, facts, o) => expect(plan(facts, o).freed).toBe(freed));

it('counts the original and the .gz in memory', () => expect(plan(input(), opts()).memoryNeeded).toBeGreaterThanOrEqual(file.size + COMPRESSED));

it.each([0, 1, 1000, 3 * 2 ** 20 + 7])('the worst case bounds what random (incompressible) data of %d bytes gives', async (size) => {
  const data = crypto.randomBytes(size);
  const blocks = Array.from({ length: Math.ceil(size / 2 ** 20) }, (_, i) => data.subarray(i * 2 ** 20, (i + 1) * 2 ** 20));
  const c = await compressSource({ blocks, size, crc: crc32(data) }, { name: 'x'.repeat(255), mtime: 0, level: 9 });
  expect(c.size).toBeLessThanOrEqual(worstCaseCompressed(size));
});

it.each([
  ['an estimate that fits with its margin', COMPRESSED, 'beside'],
  ['an estimate that only fits without its margin', Math.floor((GIB_FREE - RESERVE) / 1.2), undefined],
])('planByEstimate: %s', (_what, estimate, strategy) => {
  const free = input({ outputFs: { ...input().outputFs, freeBytes: GIB_FREE }, stashes: [] });
  expect(planByEstimate({ ...free, compressedSize: estimate }, opts({ safe: true }))?.strategy).toBe(strategy);
});

it.each([
  ['--safe refuses a safety copy in RAM', { safe: true }, /only place with room for the safety copy is in RAM/],
  ['--safe --allow-ram-stash accepts it', { safe: true, allowRamStash: true }, 'stash'],
  ['without --safe it is taken, and the plan says it is in RAM', {}, 'stash'],
])('RAM stash: %s', (_what, over, expected) => {
  const make = () => plan(input({ stashes: [shm] }), { ...DEFAULT_OPTIONS, ...over });
  if (expected instanceof RegExp) expect(make).toThrow(expected);
  else expect(make()).toMatchObject({ strategy: expected, reason: expect.stringContaining('in RAM: it survives a kill -9, not a power cut') });
});

it('room in bytes but no free inode: not beside (the .gz needs one), the stash and a rewrite in place need none', () =>
  expect(plan(input({ fs: fsFacts({ freeBytes: GIB_FREE, freeInodes: 0 }), stashes: [shm] }), opts()).strategy).toBe('stash'));

it.each([
  ['in place, a .gz one block larger than the file', input({ compressedSize: 100 * MiB + 1 })],
  ['in place, a .gz exactly as many blocks as the file', input({ compressedSize: 100 * MiB })],
  ['stash, a .gz larger than the file', input({ compressedSize: 100 * MiB + 4096, stashes: [shm] })],
  ['a sparse file holding fewer blocks than its .gz needs', input({ file: { ...file, allocated: 8 * MiB } })],
])('nothing to gain on a full disk (%s): NO_GAIN before anything is written', (_what, facts) => {
  expect(refusal(() => plan(facts, opts({ yes: true })))).toBe('NO_GAIN');
  expect(() => plan(facts, opts())).toThrow(/compressing would free nothing/);
});

it('an incompressible file with room beside is still compressed, as gzip does', () =>
  expect(plan(input({ compressedSize: 100 * MiB + 1, fs: fsFacts({ freeBytes: GIB_FREE }) }), opts()).strategy).toBe('beside'));

it('a sparse file frees the blocks it holds, not its size', () =>
  expect(plan(input({ file: { ...file, allocated: 40 * MiB } }), opts()).freed).toBe(40 * MiB - gz));

it.each([
  ['no holes, 0 free', 100 * MiB, 0, 'overwrite'],
  ['holes below the .gz, 0 free: blocks freed first', 40 * MiB, 0, 'unlink'],
  ['holes covered by free space', 40 * MiB, 10 * MiB + 4096, 'overwrite'],
])('a file with holes, %s: %s', (_what, allocatedBytes, freeBytes, method) => {
  const fs = fsFacts({ freeBytes });
  expect(plan(input({ file: { ...file, allocated: allocatedBytes }, fs, outputFs: fs, stashes: [shm] }), opts()).method).toBe(method);
});
