// Block mode's journal on a real folder: naming, durable writes, reading back, and removal (beside FILE or in a stash).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dropPointer } from '../src/steps/stash-pointer.js';
import {
  createJournal,
  journalBeside,
  journalInStash,
  partPath,
  readJournal,
  removeJournal,
  writeJournal,
  writePart,
  type JournalManifest,
} from '../src/steps/journal.js';
import { STASH_FOLDER } from '../src/steps/stash.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-journal-'))));
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  // Stashes outside the default places leave a note in /dev/shm: take it back.
  ['7-42', '7-43'].forEach(dropPointer);
});

const manifest = (over: Partial<JournalManifest> = {}): JournalManifest => ({
  version: 1, kind: 'blocks', file: path.join(dir, 'big.log'), outputPath: path.join(dir, 'big.log.gz'), dev: 7, ino: 42,
  size: 3000, blockSize: 1024, level: 6, storeName: true, uid: 0, gid: 0, mode: 0o100644, atimeMs: 1, mtimeMs: 2,
  parts: [{ index: 2, offset: 2048, length: 952, crc: 123, compressedSize: 40, path: path.join(dir, 'p') }],
  assembledParts: 0, assembledBytes: 0, pid: process.pid, createdAt: '2026-01-01T00:00:00.000Z', ...over,
});
const stashFolder = () => path.join(dir, STASH_FOLDER);

it('beside FILE: a hidden folder named after it, with manifest.json inside', () =>
  expect(journalBeside('/var/log/big.log')).toEqual({ folder: '/var/log/.big.log.cmemgzip-blocks', manifest: '/var/log/.big.log.cmemgzip-blocks/manifest.json' }));

it('in a stash: cmemgzip-stash/<dev>-<ino>.blocks, the stash folder made absolute', () => {
  const j = journalInStash(path.relative(process.cwd(), dir), 7, 42);
  expect(j).toEqual({ folder: `${stashFolder()}/7-42.blocks`, manifest: `${stashFolder()}/7-42.blocks/manifest.json`, stashKey: '7-42' });
});

it.each([
  [0, 'part-00000000.gz'],
  [7, 'part-00000007.gz'],
  [12345678, 'part-12345678.gz'],
])('part %d is %s, so that names sort in block order', (index, name) => expect(partPath(journalBeside('/d/f'), index)).toBe(`/d/.f.cmemgzip-blocks/${name}`));

it('writes the manifest durably and reads it back; private folder, no temporary left', () => {
  const j = journalBeside(path.join(dir, 'big.log'));
  createJournal(j);
  writeJournal(j, manifest());
  expect(readJournal(j)).toEqual(manifest());
  expect(fs.statSync(j.folder).mode & 0o777).toBe(0o700);
  expect(fs.statSync(j.manifest).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(j.folder)).toEqual(['manifest.json']);
});

it('a rewritten manifest replaces the old one whole', () => {
  const j = journalBeside(path.join(dir, 'big.log'));
  createJournal(j);
  writeJournal(j, manifest());
  writeJournal(j, manifest({ assembledParts: 1, assembledBytes: 40 }));
  expect(readJournal(j)).toMatchObject({ assembledParts: 1, assembledBytes: 40 });
  expect(fs.readdirSync(j.folder)).toEqual(['manifest.json']);
});

it.each([
  ['no folder', () => {}],
  ['a folder without a manifest (killed before the first write)', (f: string) => fs.mkdirSync(f)],
  ['a half-written manifest', (f: string) => (fs.mkdirSync(f), fs.writeFileSync(path.join(f, 'manifest.json'), '{"version":1,"ki'))],
  ['a manifest of another kind', (f: string) => (fs.mkdirSync(f), fs.writeFileSync(path.join(f, 'manifest.json'), '{"version":1,"kind":"stash"}'))],
])('reads nothing from %s', (_what, make) => {
  const j = journalBeside(path.join(dir, 'big.log'));
  make(j.folder);
  expect(readJournal(j)).toBeUndefined();
});

it('writes a part durably, 0600, replacing a leftover of a killed run', () => {
  const j = journalBeside(path.join(dir, 'big.log'));
  createJournal(j);
  writePart(partPath(j, 2), [Buffer.from('fresh')]);
  expect(fs.statSync(partPath(j, 2)).mode & 0o777).toBe(0o600);
  const part = partPath(j, 3);
  fs.writeFileSync(part, 'a longer leftover from a killed run', { mode: 0o600 });
  writePart(part, [Buffer.from('gz'), Buffer.alloc(0), Buffer.from('data')]);
  expect(fs.readFileSync(part, 'utf8')).toBe('gzdata');
});

it('will not write a part through a symlink', () => {
  const j = journalBeside(path.join(dir, 'big.log'));
  createJournal(j);
  const victim = path.join(dir, 'victim');
  fs.writeFileSync(victim, 'keep me');
  fs.symlinkSync(victim, partPath(j, 0));
  expect(() => writePart(partPath(j, 0), [Buffer.from('x')])).toThrow(/ELOOP/);
  expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
});

it('removes the journal beside FILE with its parts, and nothing else', () => {
  const j = journalBeside(path.join(dir, 'big.log'));
  createJournal(j);
  writeJournal(j, manifest());
  writePart(partPath(j, 0), [Buffer.from('x')]);
  fs.writeFileSync(path.join(dir, 'big.log'), 'other');
  removeJournal(j);
  expect(fs.readdirSync(dir)).toEqual(['big.log']);
  expect(() => removeJournal(j)).not.toThrow();
});

it('removes a journal in the stash, and the stash folder once it is empty', () => {
  const j = journalInStash(dir, 7, 42);
  createJournal(j);
  writeJournal(j, manifest());
  writePart(partPath(j, 0), [Buffer.from('x')]);
  removeJournal(j);
  expect(fs.readdirSync(dir)).toEqual([]);
});

it('keeps the stash folder while it holds another stash', () => {
  const mine = journalInStash(dir, 7, 42);
  const other = journalInStash(dir, 7, 43);
  for (const j of [mine, other]) {
    createJournal(j);
    writeJournal(j, manifest());
  }
  fs.writeFileSync(path.join(stashFolder(), '7-99.gz'), 'a whole-file stash copy');
  removeJournal(mine);
  expect(fs.readdirSync(stashFolder()).sort()).toEqual(['7-43.blocks', '7-99.gz']);
  expect(readJournal(other)).toEqual(manifest());
});

it('never removes the folder above a journal beside FILE, even when it is empty', () => {
  const sub = path.join(dir, 'logs');
  fs.mkdirSync(sub);
  const j = journalBeside(path.join(sub, 'big.log'));
  createJournal(j);
  removeJournal(j);
  expect(fs.readdirSync(dir)).toEqual(['logs']);
});
