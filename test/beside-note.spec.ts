// The note that a beside job of ours is under way on FILE: left before the .gz lands, found, dropped after.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { dropBesideNote, hasBesideNote, leaveBesideNote } from '../src/steps/beside-note.js';
import { stateFolderName } from '../src/probe/own-folder.js';

let places: string[];
const saved = process.env.CMEMGZIP_STATE_DIRS;
beforeEach(() => {
  places = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-beside-')));
  process.env.CMEMGZIP_STATE_DIRS = places.join(':');
});
afterEach(() => {
  process.env.CMEMGZIP_STATE_DIRS = saved;
  vi.restoreAllMocks();
  places.forEach((p) => fs.rmSync(p, { recursive: true, force: true }));
});

const file = { ino: 12, birth: '345', path: '/var/log/app.log' };

it('goes to the last place first (RAM is last in the default list), is found, and dropping it leaves nothing', () => {
  leaveBesideNote(file);
  expect(fs.readdirSync(path.join(places[1], stateFolderName()))).toEqual(['12-345.beside']);
  expect(hasBesideNote(file)).toBe(true);
  expect(hasBesideNote({ ino: 12, birth: '346' })).toBe(false);
  dropBesideNote(file);
  expect(hasBesideNote(file)).toBe(false);
  expect(places.map((p) => fs.readdirSync(p))).toEqual([[], []]);
});

it('is written in place with no fsync: only a kill must not lose it, and the page cache keeps it', () => {
  fs.mkdirSync(path.join(places[1], stateFolderName()), { mode: 0o700 });
  const fsync = vi.spyOn(fs, 'fsyncSync');
  const rename = vi.spyOn(fs, 'renameSync');
  leaveBesideNote(file);
  expect(fsync).not.toHaveBeenCalled();
  expect(rename).not.toHaveBeenCalled();
  expect(JSON.parse(fs.readFileSync(path.join(places[1], stateFolderName(), '12-345.beside'), 'utf8'))).toMatchObject({ ino: 12, birth: '345', name: file.path });
});

it('an empty note (a kill while it was written) still counts', () => {
  leaveBesideNote(file);
  fs.truncateSync(path.join(places[1], stateFolderName(), '12-345.beside'), 0);
  expect(hasBesideNote(file)).toBe(true);
});
