// The two loss windows read off a plan's steps: kill -9 (memory alone) and power cut (memory or RAM alone).
import { expect, it } from 'vitest';
import { describeWindows, unsafeRefusal, windowsOf } from '../src/plan/loss-windows.js';
import { blockSteps } from '../src/strategies/blocks.js';
import { wholeFileSteps } from '../src/strategies/whole-file.js';
import { streamedSteps } from '../src/strategies/streamed-beside.js';
import { truncateSteps } from '../src/strategies/copytruncate.js';
import type { StashCandidate } from '../src/probe/stash.js';

const stash = (ramBacked: boolean) => ({ dir: ramBacked ? '/dev/shm' : '/var/tmp', fs: { type: ramBacked ? 'tmpfs' : 'ext4', ramBacked } }) as StashCandidate;
const MiB = 2 ** 20;
const sizes = { size: 400 * MiB, compressedSize: 40 * MiB };
const kinds = (w: ReturnType<typeof windowsOf>) => [w.kill9 !== undefined, w.powerCut !== undefined];

it.each([
  ['beside', { strategy: 'beside', method: 'overwrite' }, [false, false]],
  ['a stash on another disk', { strategy: 'stash', method: 'overwrite', stash: stash(false) }, [false, false]],
  ['a stash in RAM', { strategy: 'stash', method: 'overwrite', stash: stash(true) }, [false, true]],
  ['a stash in RAM, copy-on-write', { strategy: 'stash', method: 'unlink', stash: stash(true) }, [false, true]],
  ['a stash on disk, copy-on-write', { strategy: 'stash', method: 'unlink', stash: stash(false) }, [false, false]],
  ['in place', { strategy: 'in-place', method: 'overwrite' }, [true, true]],
  ['in place, copy-on-write', { strategy: 'in-place', method: 'unlink' }, [true, true]],
] as const)('%s: kill -9 %s, power cut', (_what, p, expected) => expect(kinds(windowsOf(wholeFileSteps(p, sizes)))).toEqual(expected));

it.each([
  ['beside', { firstPart: 'beside' }, [false, false]],
  ['in a stash on disk', { firstPart: 'stash', stash: stash(false) }, [false, false]],
  ['in a stash in RAM', { firstPart: 'stash', stash: stash(true) }, [false, true]],
  ['the one-block window', { firstPart: 'window' }, [true, true]],
] as const)('block mode, first part %s', (_what, p, expected) =>
  expect(kinds(windowsOf(blockSteps({ blockSize: 16 * MiB, blocks: 8, estimatedCompressed: 12 * MiB, ...p }, 128 * MiB)))).toEqual(expected));

it.each([
  ['beside', { kind: 'beside', reason: '' }, [false, false]],
  ['a stash on disk', { kind: 'stash', stash: stash(false), reason: '' }, [false, false]],
  ['a stash in RAM', { kind: 'stash', stash: stash(true), reason: '' }, [false, true]],
] as const)('--copytruncate, copy %s', (_what, place, expected) => expect(kinds(windowsOf(truncateSteps(place, sizes)))).toEqual(expected));

it('in place: the window is the rewrite up to the durable cut; from then on FILE holds the whole .gz', () =>
  expect(windowsOf(wholeFileSteps({ strategy: 'in-place', method: 'overwrite' }, sizes)).kill9?.steps).toEqual([
    'rewrite FILE in place with the .gz',
    'fsync FILE',
    "cut FILE to the .gz's length, fsync",
  ]));

it('the one-block window is the tail block from its cut until its part is durable', () =>
  expect(windowsOf(blockSteps({ blockSize: 16 * MiB, blocks: 8, estimatedCompressed: 12 * MiB, firstPart: 'window' }, 128 * MiB)).kill9?.steps).toEqual([
    'block 7: cut it off FILE, fsync',
    'create the journal',
    'block 7: write its part (fsync, verify, manifest)',
  ]));

it('never calls RAM durable: the RAM stash is named as what a reboot empties', () =>
  expect(describeWindows(windowsOf(wholeFileSteps({ strategy: 'stash', method: 'overwrite', stash: stash(true) }, sizes), { dir: '/dev/shm', type: 'tmpfs' }))).toEqual([
    'loss window on kill -9: none',
    "loss window on power cut or reboot: rewrite FILE in place with the .gz, fsync FILE, cut FILE to the .gz's length, fsync (about 0.2 s): the safety copy is in RAM (/dev/shm, tmpfs), which a reboot or power cut empties",
  ]));

it('a .gz written to RAM from a disk is a power-cut window once FILE is removed', () =>
  expect(windowsOf(streamedSteps({ ...sizes, gz: 'ram-gz' })).powerCut).toMatchObject({ steps: ['remove FILE'], where: 'ram-gz' }));

const safe = { safe: true, allowRamStash: false };
const ramStashed = windowsOf(wholeFileSteps({ strategy: 'stash', method: 'overwrite', stash: stash(true) }, sizes));
it.each([
  ['beside', windowsOf(streamedSteps(sizes)), safe, undefined],
  ['a stash in RAM', ramStashed, safe, 'WINDOW_REFUSED'],
  ['a stash in RAM with --allow-ram-stash', ramStashed, { safe: true, allowRamStash: true }, undefined],
  ['a .gz in RAM, even with --allow-ram-stash', windowsOf(streamedSteps({ ...sizes, gz: 'ram-gz' })), { safe: true, allowRamStash: true }, 'WINDOW_REFUSED'],
  ['in place', windowsOf(wholeFileSteps({ strategy: 'in-place', method: 'overwrite' }, sizes)), safe, 'WINDOW_REFUSED'],
  ['in place without --safe', windowsOf(wholeFileSteps({ strategy: 'in-place', method: 'overwrite' }, sizes)), { safe: false, allowRamStash: false }, undefined],
] as const)('--safe and %s: %s', (_what, w, opts, code) => expect(unsafeRefusal(w, opts)?.code).toBe(code));
