// planSet(): which files, in which order and how, to reach a target, from fabricated facts; wantedFree().
import { expect, it } from 'vitest';
import { DEFAULT_OPTIONS, type Options, type Target } from '../src/plan/options.js';
import { planSet, wantedFree, type SetCandidate, type SetInput } from '../src/plan/set-plan.js';
import type { FileFacts } from '../src/probe/file.js';
import type { FsFacts } from '../src/probe/filesystem.js';
import type { StashCandidate } from '../src/probe/stash.js';

const MiB = 2 ** 20;
const fsFacts = (over: Partial<FsFacts> = {}): FsFacts => ({
  type: 'ext4', mountPoint: '/var', dev: 1, blockSize: 4096, totalBytes: 1000 * MiB, freeBytes: 0,
  totalInodes: 1000, freeInodes: 100, copyOnWrite: false, ramBacked: false, ...over,
});
/** A file of `size` MiB whose .gz is estimated at `gz` MiB. */
const file = (name: string, size: number, gz: number): SetCandidate => {
  const facts: FileFacts = {
    path: `/var/log/${name}`, dir: '/var/log', base: name, kind: 'file', dev: 1, ino: name.length, birth: '0', size: size * MiB, allocated: size * MiB, nlink: 1,
    uid: 0, gid: 0, mode: 0o100644, atimeMs: 0, mtimeMs: 0, mtimeNs: 0n, ctimeNs: 0n,
  };
  return { file: facts, outputPath: `${facts.path}.gz`, estimated: gz * MiB };
};
const shm: StashCandidate = { dir: '/dev/shm', fs: fsFacts({ type: 'tmpfs', mountPoint: '/dev/shm', dev: 2, freeBytes: 500 * MiB, ramBacked: true }), explicit: false };
const disk: StashCandidate = { dir: '/srv/stash', fs: fsFacts({ mountPoint: '/srv', dev: 3, freeBytes: 500 * MiB }), explicit: true };
const logs = [file('a.log', 100, 10), file('b.log', 80, 8), file('c.log', 60, 6), file('noise.bin', 50, 51)];
const until = (pct: number): Target => ({ kind: 'until', usedFraction: pct / 100 });

const input = (over: Partial<SetInput> = {}): SetInput => ({
  fs: fsFacts(), target: until(90), candidates: logs, stashes: [shm], memoryAvailable: 8192 * MiB, cores: 2, riskyTaken: false, ...over,
});
const opts = (over: Partial<Options> = {}): Options => ({ ...DEFAULT_OPTIONS, ...over });
/** "a.log:stash! b.log:beside met": each step's file and strategy, ! when risky, then whether the target is met. */
const shape = (i: SetInput, o: Options = opts()) => {
  const p = planSet(i, o);
  return `${p.steps.map((s) => `${s.path.slice(9)}:${s.strategy}${s.risky ? '!' : ''}`).join(' ')} ${p.met ? 'met' : 'short'}`.trim();
};

it.each([
  ['0 free: the largest saver first through the RAM stash, then the rest beside', input({ target: until(80) }), opts(), 'a.log:stash! b.log:beside c.log:beside met'],
  ['the fewest files: stops as soon as the target is met', input(), opts(), 'a.log:stash! b.log:beside met'],
  ['room for every .gz: all beside, largest saver first, no risk', input({ fs: fsFacts({ freeBytes: 30 * MiB }), target: until(80) }), opts(), 'a.log:beside b.log:beside c.log:beside met'],
  ['the target met already: nothing to do', input({ fs: fsFacts({ freeBytes: 300 * MiB }) }), opts(), 'met'],
  ['a safe file that meets the target alone beats a larger risky one', input({ fs: fsFacts({ freeBytes: 5 * MiB }), target: { kind: 'free', bytes: 12 * MiB }, candidates: [file('a.log', 400, 10), file('small.log', 10, 1)] }), opts(), 'small.log:beside met'],
  ['no stash: the one in-place window, then beside', input({ stashes: [] }), opts(), 'a.log:in-place! b.log:beside met'],
  ['a stash on disk is not risky: no step is', input({ stashes: [disk] }), opts(), 'a.log:stash b.log:beside met'],
  ['--safe and no stash: every file refused at 0 free', input({ stashes: [] }), opts({ safe: true }), 'short'],
  ['the risky step already taken: only safe steps, none fits at 0 free', input({ riskyTaken: true }), opts(), 'short'],
  ['a second risky step is never planned: the files left stay', input({ candidates: [file('a.log', 100, 70), file('b.log', 100, 70)] }), opts(), 'a.log:stash! short'],
  ['an incompressible file is never taken', input({ candidates: [file('noise.bin', 50, 51)], fs: fsFacts({ freeBytes: 900 * MiB }), target: until(1) }), opts(), 'short'],
  ['--copytruncate: the copy goes to the stash, never in place', input(), opts({ copytruncate: true }), 'a.log:copytruncate! b.log:copytruncate met'],
  ['--copytruncate without a stash: refused at 0 free', input({ stashes: [] }), opts({ copytruncate: true }), 'short'],
  ['a file larger than memory: block mode, its first part in the stash', input({ memoryAvailable: 150 * MiB }), opts(), 'a.log:blocks! b.log:beside met'],
  ['a reserve that lends room for the .gz: beside from the start, --safe or not', input({ loanable: 20 * MiB, stashes: [] }), opts({ safe: true }), 'a.log:beside b.log:beside met'],
  ['a reserve too small for the .gz lends nothing', input({ loanable: 5 * MiB, stashes: [] }), opts({ safe: true }), 'short'],
  ['--free SIZE: bytes free at the end', input({ target: { kind: 'free', bytes: 150 * MiB } }), opts(), 'a.log:stash! b.log:beside met'],
])('%s', (_what, i, o, expected) => {
  expect(shape(i, o)).toBe(expected);
});

it('each step says the free space expected before and after it, and the use at the end', () => {
  const p = planSet(input({ target: until(75) }), opts());
  expect(p.steps.map((s) => [s.freeBefore / MiB, s.freeAfter / MiB])).toEqual([[0, 90], [90, 162], [162, 216]]);
  expect(p).toMatchObject({ wanted: 250 * MiB, before: 0, expectedFree: 216 * MiB, expectedUsedFraction: 0.784, met: false, short: 'no file is left that may be compressed' });
});

it.each([
  [until(80), 1000 * MiB, 200 * MiB],
  [until(100), 1000 * MiB, 0],
  [{ kind: 'free', bytes: 2 * 2 ** 30 } as Target, 1000 * MiB, 2 * 2 ** 30],
])('wantedFree(%j) on %d bytes: %d', (target, totalBytes, wanted) => {
  expect(wantedFree(target, { totalBytes })).toBe(wanted);
});
