// Whether a file may have records of an interrupted job: any state folder naming its key, or a journal beside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { recordKey } from '../src/probe/identity.js';
import { mayHaveRecords } from '../src/run/record-index.js';
import { stateFolderName } from '../src/probe/own-folder.js';

let places: string[];
let dir: string;
beforeEach(() => {
  places = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-index-')));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-index-files-'));
});
afterEach(() => {
  vi.restoreAllMocks();
  [...places, dir].forEach((p) => fs.rmSync(p, { recursive: true, force: true }));
});

/** A file not asked about before in this process (a key asked twice is always looked up). */
let next = 1000;
const newFile = () => {
  const file = { ino: next++, birth: '1796524651960917881', dir };
  return { file, key: recordKey(file) };
};

const stateFolder = (place: string) => {
  const folder = path.join(place, stateFolderName());
  fs.mkdirSync(folder, { mode: 0o700, recursive: true });
  return folder;
};

it("none: no state folder, or only other files' records in it", () => {
  const { file, key } = newFile();
  expect(mayHaveRecords([key], places, file)).toBe(false);
  const other = newFile();
  fs.writeFileSync(path.join(stateFolder(places[1]), '1-2.gz'), '');
  fs.writeFileSync(path.join(stateFolder(places[1]), `${other.key}0.where`), '');
  expect(mayHaveRecords([other.key], places, other.file)).toBe(false);
});

it.each(['gz', 'json', 'json.tmp', 'where', 'beside', 'truncating', 'blocks'])('a record KEY.%s in any place', (ext) => {
  const { file, key } = newFile();
  fs.writeFileSync(path.join(stateFolder(places[1]), `${key}.${ext}`), '');
  expect(mayHaveRecords([key], places, file)).toBe(true);
});

it('a record under the key of the .gz (a run killed after its rename)', () => {
  const { file, key } = newFile();
  fs.writeFileSync(path.join(stateFolder(places[0]), '7-8.json'), '');
  expect(mayHaveRecords([key, '7-8'], places, file)).toBe(true);
});

it('a block-mode journal beside the file', () => {
  const { file, key } = newFile();
  fs.mkdirSync(path.join(dir, `.${key}.cmemgzip-blocks`));
  expect(mayHaveRecords([key], places, file)).toBe(true);
});

it('a place whose state folder cannot be trusted: looked up in full (which reports it)', () => {
  const { file, key } = newFile();
  fs.mkdirSync(path.join(places[0], stateFolderName()), { mode: 0o755 });
  fs.chmodSync(path.join(places[0], stateFolderName()), 0o755);
  expect(mayHaveRecords([key], places, file)).toBe(true);
});

it('lists each place once for many files within a second', () => {
  stateFolder(places[0]);
  const readdir = vi.spyOn(fs, 'readdirSync');
  for (let i = 0; i < 5; i++) {
    const { file, key } = newFile();
    expect(mayHaveRecords([key], places, file)).toBe(false);
  }
  expect(readdir).toHaveBeenCalledTimes(1);
});

it('a key asked again is always looked up: this run may have left a record for it since the listing', () => {
  const { file, key } = newFile();
  expect(mayHaveRecords([key], places, file)).toBe(false);
  fs.writeFileSync(path.join(stateFolder(places[0]), `${key}.gz`), '');
  expect(mayHaveRecords([key], places, file)).toBe(true);
});
