// The two loss windows each plan implies: kill -9 (memory alone) and power cut (memory or RAM alone).
import { expect, it } from 'vitest';
import { blockWindows, describeWindows, planWindows } from '../src/plan/loss-windows.js';
import type { StashCandidate } from '../src/probe/stash.js';

const stash = (ramBacked: boolean) => ({ dir: ramBacked ? '/dev/shm' : '/var/tmp', fs: { type: ramBacked ? 'tmpfs' : 'ext4', ramBacked } }) as StashCandidate;
const MiB = 2 ** 20;

it.each([
  ['beside', { strategy: 'beside', method: 'overwrite' }, [false, false]],
  ['a stash on another disk', { strategy: 'stash', method: 'overwrite', stash: stash(false) }, [false, false]],
  ['a stash in RAM', { strategy: 'stash', method: 'overwrite', stash: stash(true) }, [false, true]],
  ['a stash in RAM, copy-on-write', { strategy: 'stash', method: 'unlink', stash: stash(true) }, [false, true]],
  ['in place', { strategy: 'in-place', method: 'overwrite' }, [true, true]],
] as const)('%s: kill -9 %s, power cut', (_what, p, [kill, power]) => {
  const w = planWindows(p, 40 * MiB);
  expect([w.kill9 !== undefined, w.powerCut !== undefined]).toEqual([kill, power]);
});

it.each([
  ['beside', { firstPart: 'beside' }, [false, false]],
  ['in a stash on disk', { firstPart: 'stash', stash: stash(false) }, [false, false]],
  ['in a stash in RAM', { firstPart: 'stash', stash: stash(true) }, [false, true]],
  ['the one-block window', { firstPart: 'window' }, [true, true]],
] as const)('block mode, first part %s', (_what, p, [kill, power]) => {
  const w = blockWindows({ blockSize: 16 * MiB, blocks: 8, ...p });
  expect([w.kill9 !== undefined, w.powerCut !== undefined]).toEqual([kill, power]);
});

it('never calls RAM durable: the RAM stash is named as what a reboot empties', () =>
  expect(describeWindows(planWindows({ strategy: 'stash', method: 'overwrite', stash: stash(true) }, 400 * MiB))).toEqual([
    'loss window on kill -9: none',
    'loss window on power cut or reboot: rewrite FILE in place, fsync, cut to the .gz length, verify, rename to FILE.gz (about 4 s): the safety copy is in RAM (/dev/shm, tmpfs), which a reboot or power cut empties',
  ]));
