// Whether a file may have records of an interrupted job: any state folder naming its key, or a journal beside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { identityAt, recordKey } from '../src/probe/identity.js';
import { mayHaveRecords } from '../src/run/record-index.js';
import { stateFolderName } from '../src/steps/state-folder.js';

let places: string[];
let dir: string;
let file: ReturnType<typeof identityAt> & { dir: string };
let key: string;
beforeEach(() => {
  places = [0, 1].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-index-')));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-index-files-'));
  fs.writeFileSync(path.join(dir, 'app.log'), 'a line\n');
  file = { ...identityAt(path.join(dir, 'app.log'))!, dir };
  key = recordKey(file);
});
afterEach(() => [...places, dir].forEach((p) => fs.rmSync(p, { recursive: true, force: true })));

const stateFolder = (place: string) => {
  const folder = path.join(place, stateFolderName());
  fs.mkdirSync(folder, { mode: 0o700, recursive: true });
  return folder;
};

it('none: no state folder, or only other files\' records in it', () => {
  expect(mayHaveRecords([key], places, file)).toBe(false);
  fs.writeFileSync(path.join(stateFolder(places[1]), '1-2.gz'), '');
  fs.writeFileSync(path.join(stateFolder(places[1]), `${key}0.where`), '');
  expect(mayHaveRecords([key], places, file)).toBe(false);
});

it.each(['gz', 'json', 'json.tmp', 'where', 'beside', 'truncating', 'blocks'])('a record KEY.%s in any place', (ext) => {
  fs.writeFileSync(path.join(stateFolder(places[1]), `${key}.${ext}`), '');
  expect(mayHaveRecords([key], places, file)).toBe(true);
});

it('a record under the key of the .gz (a run killed after its rename)', () => {
  fs.writeFileSync(path.join(stateFolder(places[0]), '7-8.json'), '');
  expect(mayHaveRecords([key, '7-8'], places, file)).toBe(true);
});

it('a block-mode journal beside the file', () => {
  fs.mkdirSync(path.join(dir, `.${key}.cmemgzip-blocks`));
  expect(mayHaveRecords([key], places, file)).toBe(true);
});

it('a place whose state folder cannot be trusted: looked up in full (which reports it)', () => {
  fs.mkdirSync(path.join(places[0], stateFolderName()), { mode: 0o755 });
  fs.chmodSync(path.join(places[0], stateFolderName()), 0o755);
  expect(mayHaveRecords([key], places, file)).toBe(true);
});
