// Notes in the user's state folders: written to the first place that takes one, read from any, removed from all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { stateFolderName } from '../src/probe/own-folder.js';
import { dropNote, leaveNote, readNotes } from '../src/steps/state-notes.js';

let places: string[];
beforeEach(() => (places = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-notes-')))));
afterEach(() => places.forEach((p) => fs.rmSync(p, { recursive: true, force: true })));

it('goes to the first place, is read back, and dropping it leaves no state folder', () => {
  expect(leaveNote('1-2.beside', 'x\n', places)).toBe(true);
  expect(fs.readdirSync(path.join(places[0], stateFolderName()))).toEqual(['1-2.beside']);
  expect(readNotes('1-2.beside', places)).toEqual(['x\n']);
  dropNote('1-2.beside', places);
  expect(places.map((p) => fs.readdirSync(p))).toEqual([[], []]);
});

it('passes over a place whose state folder is not ours, and never reads or removes there', () => {
  const foreign = path.join(places[0], stateFolderName());
  fs.mkdirSync(foreign, { mode: 0o755 });
  fs.writeFileSync(path.join(foreign, '1-2.beside'), 'planted');
  expect(leaveNote('1-2.beside', 'x\n', places)).toBe(true);
  expect(readNotes('1-2.beside', places)).toEqual(['x\n']);
  dropNote('1-2.beside', places);
  expect(fs.readFileSync(path.join(foreign, '1-2.beside'), 'utf8')).toBe('planted');
});

it('dropping it tries to tidy away only the folder that held it (another run\'s records elsewhere keep theirs busy)', () => {
  fs.mkdirSync(path.join(places[1], stateFolderName()), { mode: 0o700 });
  fs.writeFileSync(path.join(places[1], stateFolderName(), '9-9.gz'), 'another job');
  leaveNote('1-2.beside', 'x\n', places);
  const rmdir = vi.spyOn(fs, 'rmdirSync');
  try {
    dropNote('1-2.beside', places);
    expect(rmdir.mock.calls.map(([folder]) => String(folder))).toEqual([expect.stringContaining(places[0])]);
  } finally {
    rmdir.mockRestore();
  }
  expect(fs.readdirSync(places[0])).toEqual([]);
});

it('does not try to remove a folder that still holds another note of this process (-r drops one a file), and removes it with the last', () => {
  leaveNote('1-2.beside', 'x\n', places);
  leaveNote('3-4.beside', 'y\n', places);
  const rmdir = vi.spyOn(fs, 'rmdirSync');
  try {
    dropNote('1-2.beside', places);
    expect(rmdir).not.toHaveBeenCalled();
    expect(readNotes('3-4.beside', places)).toEqual(['y\n']);
  } finally {
    rmdir.mockRestore();
  }
  dropNote('3-4.beside', places);
  expect(places.map((p) => fs.readdirSync(p))).toEqual([[], []]);
});

it('looks for a note it did not leave only in a place whose listing names it (-r looked into every place for every file)', () => {
  const other = path.join(places[1], stateFolderName());
  fs.mkdirSync(other, { mode: 0o700 });
  fs.writeFileSync(path.join(other, '9-9.gz'), 'another job');
  leaveNote('1-2.beside', 'x\n', places);
  const lstat = vi.spyOn(fs, 'lstatSync');
  try {
    dropNote('1-2.beside', places);
    expect(lstat.mock.calls.filter(([p]) => String(p).startsWith(places[1]))).toEqual([]);
  } finally {
    lstat.mockRestore();
  }
  expect(fs.readdirSync(other)).toEqual(['9-9.gz']);
  expect(fs.readdirSync(places[0])).toEqual([]);
});

it("removes a note a killed run left in another place, as well as this run's own", () => {
  const other = path.join(places[1], stateFolderName());
  fs.mkdirSync(other, { mode: 0o700 });
  fs.writeFileSync(path.join(other, '1-2.beside'), 'a killed run left this');
  leaveNote('1-2.beside', 'x\n', places);
  dropNote('1-2.beside', places);
  expect(places.map((p) => fs.readdirSync(p))).toEqual([[], []]);
});
