import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_STASH_DIRS, uniqueDirs } from '../src/probe/stash.js';
import { dropPointer, leavePointer, pointedStashDirs, stashKey } from '../src/steps/stash-pointer.js';

const key = stashKey(999_999, process.pid);
afterEach(() => dropPointer(key));

it('leaves a note for a --stash folder that a rerun without --stash finds, and drops it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-pointer-'));
  leavePointer(dir, key);
  expect(pointedStashDirs(key)).toEqual([fs.realpathSync(dir)]);
  dropPointer(key);
  expect(pointedStashDirs(key)).toEqual([]);
  fs.rmSync(dir, { recursive: true });
});

it('leaves no note for a stash that is in a default place already', () => {
  leavePointer(DEFAULT_STASH_DIRS[0], key);
  expect(pointedStashDirs(key)).toEqual([]);
});

it.each([
  ['a symlink and its target count once', () => ['/run/shm', '/dev/shm'].filter((d) => fs.existsSync(d)), 1],
  ['a folder named twice counts once', () => [os.tmpdir(), `${os.tmpdir()}/.`], 1],
  ['a missing folder is kept as named', () => ['/nonexistent/cmem'], 1],
])('uniqueDirs: %s', (_name, dirs, count) => {
  expect(uniqueDirs(dirs())).toHaveLength(Math.min(count, dirs().length));
});
