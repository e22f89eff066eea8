// Notes that lead a plain rerun to a --stash folder: written to and read from the user's own state folder only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { defaultStashDirs, uniqueDirs } from '../src/probe/stash.js';
import { stateFolderName } from '../src/probe/own-folder.js';
import { recordKey } from '../src/probe/identity.js';
import { dropPointer, leavePointer, pointedStashDirs } from '../src/steps/stash-pointer.js';

const key = recordKey({ ino: 999_999, birth: String(process.pid) });
let notes: string;
beforeEach(() => {
  notes = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-notes-'));
  process.env.CMEMGZIP_STATE_DIRS = notes;
});
afterEach(() => {
  fs.rmSync(notes, { recursive: true, force: true });
  delete process.env.CMEMGZIP_STATE_DIRS;
});

it('leaves a note for a --stash folder that a rerun without --stash finds, and drops it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-pointer-'));
  leavePointer(dir, key);
  expect(pointedStashDirs(key)).toEqual([fs.realpathSync(dir)]);
  expect(fs.statSync(path.join(notes, stateFolderName())).mode & 0o777).toBe(0o700);
  dropPointer(key);
  expect(pointedStashDirs(key)).toEqual([]);
  fs.rmSync(dir, { recursive: true });
});

it('leaves no note for a stash that is in a default place already', () => {
  leavePointer(defaultStashDirs()[0], key);
  expect(pointedStashDirs(key)).toEqual([]);
});

it('reads no note from a state folder another user owns', () => {
  const folder = path.join(notes, stateFolderName());
  fs.mkdirSync(folder, { mode: 0o700 });
  fs.writeFileSync(path.join(folder, `${key}.where`), '/etc\n');
  fs.chownSync(folder, 65534, 65534);
  expect(pointedStashDirs(key)).toEqual([]);
});

it('CMEMGZIP_STATE_DIRS replaces the default places', () => {
  expect(defaultStashDirs({ CMEMGZIP_STATE_DIRS: '/a:/b' })).toEqual(['/a', '/b']);
  expect(defaultStashDirs({})).toContain('/dev/shm');
});

it.each([
  ['a symlink and its target count once', () => ['/run/shm', '/dev/shm'].filter((d) => fs.existsSync(d)), 1],
  ['a folder named twice counts once', () => [os.tmpdir(), `${os.tmpdir()}/.`], 1],
  ['a missing folder is kept as named', () => ['/nonexistent/cmem'], 1],
])('uniqueDirs: %s', (_name, dirs, count) => {
  expect(uniqueDirs(dirs())).toHaveLength(Math.min(count, dirs().length));
});

it('uniqueDirs resolves each name once, however often it is named (-r names the folder of every file)', () => {
  const resolved = vi.spyOn(fs.realpathSync, 'native');
  try {
    expect(uniqueDirs(Array.from({ length: 50 }, () => os.tmpdir()))).toEqual([fs.realpathSync(os.tmpdir())]);
    expect(resolved).toHaveBeenCalledTimes(1);
  } finally {
    resolved.mockRestore();
  }
});
