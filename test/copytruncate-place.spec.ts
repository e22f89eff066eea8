import { expect, it } from 'vitest';
import { CmemError } from '../src/errors.js';
import { copyTruncatePlace } from '../src/plan/copytruncate-place.js';
import { RESERVE } from '../src/plan/plan.js';
import type { FsFacts } from '../src/probe/filesystem.js';
import type { StashCandidate } from '../src/probe/stash.js';

const MiB = 2 ** 20;
const fsFacts = (dev: number, freeBytes: number): FsFacts => ({
  type: 'tmpfs', mountPoint: `/m${dev}`, dev, blockSize: 4096, totalBytes: 64 * MiB, freeBytes, totalInodes: 1000, freeInodes: 100, copyOnWrite: false, ramBacked: true,
});
const stash = (dev: number, free: number): StashCandidate => ({ dir: `/s${dev}`, fs: fsFacts(dev, free), explicit: true });
const GZ = MiB; // a multiple of the block size: needs exactly GZ + RESERVE

it.each<[string, FsFacts, StashCandidate[], string]>([
  ['room beside', fsFacts(1, GZ + RESERVE), [], 'beside'],
  ['room on another -o filesystem', fsFacts(2, GZ + RESERVE), [], 'beside'],
  ['one byte short beside: the stash', fsFacts(1, GZ + RESERVE - 1), [stash(3, 8 * MiB)], 'stash'],
  ['full: the first stash with room', fsFacts(1, 0), [stash(3, GZ), stash(4, 8 * MiB)], 'stash:/s4'],
  ['full, stashes too small', fsFacts(1, 0), [stash(3, GZ)], 'NO_STASH'],
  ['full, no stash', fsFacts(1, 0), [], 'NO_STASH'],
  ['another -o filesystem full: truncating frees nothing there', fsFacts(2, 0), [stash(3, 8 * MiB)], 'NO_SPACE'],
])('%s -> %s', (_name, outputFs, stashes, expected) => {
  let got: string;
  try {
    const place = copyTruncatePlace(1, outputFs, stashes, GZ);
    got = place.kind === 'stash' && expected.includes(':') ? `stash:${place.stash.dir}` : place.kind;
  } catch (err) {
    got = (err as CmemError).code;
  }
  expect(got).toBe(expected);
});

// A repeated --copytruncate: beside needs room for a copy of the earlier archive with the new member; else a stash, on FILE's own disk only.
it.each<[string, FsFacts, StashCandidate[], string]>([
  ['room for the archive and the member', fsFacts(1, 3 * GZ + RESERVE), [], 'beside+append'],
  ['room for the member, not the archive: the stash', fsFacts(1, GZ + RESERVE), [stash(3, 8 * MiB)], 'stash+append'],
  ['full, no stash: nothing touched', fsFacts(1, 0), [], 'NO_SPACE'],
  ['another -o filesystem full: truncating frees nothing there', fsFacts(2, 0), [stash(3, 8 * MiB)], 'NO_SPACE'],
])('an earlier archive of 2 MiB, %s -> %s', (_name, outputFs, stashes, expected) => {
  let got: string;
  try {
    const place = copyTruncatePlace(1, outputFs, stashes, GZ, 2 * GZ);
    got = `${place.kind}${place.append ? '+append' : ''}`;
  } catch (err) {
    got = (err as CmemError).code;
  }
  expect(got).toBe(expected);
});
