// Block mode's journal on a real folder: naming, durable writes, reading back, and removal (beside FILE or in a stash).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import {
  closeJournal,
  createJournal,
  journalBeside,
  journalInStash,
  journalsBeside,
  openJournal,
  partPath,
  readJournal,
  removeJournal,
  writeJournal,
  writePart,
  type JournalManifest,
  type JournalPaths,
} from '../src/steps/journal.js';
import { stateFolderName } from '../src/probe/own-folder.js';

let dir: string;
let notes: string;
const opened: JournalPaths[] = [];
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-journal-'));
  notes = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-notes-'));
  process.env.CMEMGZIP_STATE_DIRS = notes;
});
afterEach(() => {
  opened.splice(0).forEach(closeJournal);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(notes, { recursive: true, force: true });
  delete process.env.CMEMGZIP_STATE_DIRS;
});

const manifest = (over: Partial<JournalManifest> = {}): JournalManifest => ({
  version: 3, kind: 'blocks', dev: 7, ino: 42, birth: '9', fsType: 0x01021994, name: '/var/log/big.log',
  size: 3000, blockSize: 1024, level: 6, storeName: true, uid: 0, gid: 0, mode: 0o100644, atimeMs: 1, mtimeMs: 2,
  parts: [{ index: 2, offset: 2048, length: 952, crc: 123, compressedSize: 40 }],
  assembledParts: 0, assembledBytes: 0, pid: process.pid, createdAt: '2026-01-01T00:00:00.000Z', ...over,
});
const stashFolder = () => path.join(dir, stateFolderName());
const create = (j: JournalPaths) => (createJournal(j), opened.push(j), j);
const thisFile = (m: JournalManifest) => m.ino === 42 && m.birth === '9';
const big = { ino: 42, birth: '9' };

it("beside FILE: a hidden folder named after its identity (inode, birth time), so a rename keeps it and a new file with the inode's number gets another", () =>
  expect(journalBeside('/var/log', big)).toEqual({ folder: '/var/log/.42-9.cmemgzip-blocks', manifest: '/var/log/.42-9.cmemgzip-blocks/manifest.json' }));

it('finds the journals beside any file of a folder, and nothing else there', () => {
  for (const name of ['.42-9.cmemgzip-blocks', '.7-1.cmemgzip-blocks', '.big.log.cmemgzip-blocks', 'app.log', '.1-x.cmemgzip-blocks']) fs.mkdirSync(path.join(dir, name));
  expect(journalsBeside(dir).map((j) => path.basename(j.folder)).sort()).toEqual(['.42-9.cmemgzip-blocks', '.7-1.cmemgzip-blocks']);
});

it('never takes over a journal folder that holds another job\'s manifest', () => {
  const j = create(journalBeside(dir, big));
  writeJournal(j, manifest());
  closeJournal(j);
  expect(() => createJournal(j)).toThrow(/earlier block-mode job on this file that does not match it/);
  expect(readJournal(j, thisFile)).toEqual(manifest());
});

it("in a stash: the user's state folder/<ino>-<birth>.blocks, the place made absolute", () => {
  const j = journalInStash(path.relative(process.cwd(), dir), big);
  expect(j).toEqual({ folder: `${stashFolder()}/42-9.blocks`, manifest: `${stashFolder()}/42-9.blocks/manifest.json`, stash: { dir, key: '42-9' } });
});

it.each([
  [0, 'part-00000000.gz'],
  [7, 'part-00000007.gz'],
  [12345678, 'part-12345678.gz'],
])('part %d is %s, so that names sort in block order', (index, name) => expect(partPath(journalBeside('/d', big), index)).toBe(`/d/.42-9.cmemgzip-blocks/${name}`));

it('writes the manifest durably and reads it back; private folder, no temporary left', () => {
  const j = create(journalBeside(dir, big));
  writeJournal(j, manifest());
  expect(readJournal(j, thisFile)).toEqual(manifest());
  expect(fs.statSync(j.folder).mode & 0o777).toBe(0o700);
  expect(fs.statSync(j.manifest).mode & 0o777).toBe(0o600);
  expect(fs.readdirSync(j.folder)).toEqual(['manifest.json']);
});

it('a rewritten manifest replaces the old one whole', () => {
  const j = create(journalBeside(dir, big));
  writeJournal(j, manifest());
  writeJournal(j, manifest({ assembledParts: 1, assembledBytes: 40 }));
  expect(readJournal(j, thisFile)).toMatchObject({ assembledParts: 1, assembledBytes: 40 });
  expect(fs.readdirSync(j.folder)).toEqual(['manifest.json']);
});

it.each([
  ['no folder', () => {}],
  ['a folder without a manifest (killed before the first write)', (f: string) => fs.mkdirSync(f)],
  ['a half-written manifest', (f: string) => (fs.mkdirSync(f), fs.writeFileSync(path.join(f, 'manifest.json'), '{"version":1,"ki'))],
  ['a manifest of another kind', (f: string) => (fs.mkdirSync(f, { mode: 0o700 }), fs.writeFileSync(path.join(f, 'manifest.json'), '{"version":2,"kind":"stash"}'))],
  ['a manifest of the old shape, whose parts name paths', (f: string) => (fs.mkdirSync(f, { mode: 0o700 }), fs.writeFileSync(path.join(f, 'manifest.json'), JSON.stringify({ ...manifest(), version: 1, parts: [{ path: '/etc/shadow' }] })))],
  ['a manifest naming another file', (f: string) => (fs.mkdirSync(f, { mode: 0o700 }), fs.writeFileSync(path.join(f, 'manifest.json'), JSON.stringify(manifest({ ino: 43 }))))],
])('reads nothing from %s', (_what, make) => {
  const j = journalBeside(dir, big);
  make(j.folder);
  expect(readJournal(j, thisFile)).toBeUndefined();
});

it.each([
  ['owned by another user', (f: string) => (fs.mkdirSync(f, { mode: 0o700 }), fs.chownSync(f, 65534, 65534))],
  ['open to others', (f: string) => fs.mkdirSync(f, { mode: 0o755 })],
  ['a symlink', (f: string) => (fs.mkdirSync(`${f}-real`, { mode: 0o700 }), fs.symlinkSync(`${f}-real`, f))],
])('never reads a journal folder that is %s', (_what, make) => {
  const j = journalBeside(dir, big);
  make(j.folder);
  fs.writeFileSync(path.join(fs.realpathSync(j.folder), 'manifest.json'), JSON.stringify(manifest()));
  expect(readJournal(j, thisFile)).toBeUndefined();
  expect(() => openJournal(j)).toThrow(/cannot hold cmemgzip's state/);
  expect(() => createJournal(j)).toThrow(/cannot hold cmemgzip's state/);
});

it('writes a part durably, 0600, replacing a leftover of a killed run', () => {
  const j = create(journalBeside(dir, big));
  writePart(j, 2, [Buffer.from('fresh')]);
  expect(fs.statSync(partPath(j, 2)).mode & 0o777).toBe(0o600);
  const part = partPath(j, 3);
  fs.writeFileSync(part, 'a longer leftover from a killed run', { mode: 0o600 });
  writePart(j, 3, [Buffer.from('gz'), Buffer.alloc(0), Buffer.from('data')]);
  expect(fs.readFileSync(part, 'utf8')).toBe('gzdata');
});

it('will not write a part through a symlink (it replaces the link, never its target)', () => {
  const j = create(journalBeside(dir, big));
  const victim = path.join(dir, 'victim');
  fs.writeFileSync(victim, 'keep me');
  fs.symlinkSync(victim, partPath(j, 0));
  writePart(j, 0, [Buffer.from('x')]);
  expect(fs.readFileSync(victim, 'utf8')).toBe('keep me');
  expect(fs.lstatSync(partPath(j, 0)).isFile()).toBe(true);
});

it('removes the journal beside FILE with its parts, and nothing else', () => {
  const j = create(journalBeside(dir, big));
  writeJournal(j, manifest());
  writePart(j, 0, [Buffer.from('x')]);
  fs.writeFileSync(path.join(dir, 'big.log'), 'other');
  removeJournal(j);
  expect(fs.readdirSync(dir)).toEqual(['big.log']);
  expect(() => removeJournal(j)).not.toThrow();
});

it('removes a journal in the stash, and the state folder once it is empty', () => {
  const j = create(journalInStash(dir, big));
  writeJournal(j, manifest());
  writePart(j, 0, [Buffer.from('x')]);
  removeJournal(j);
  expect(fs.readdirSync(dir)).toEqual([]);
});

it('keeps the stash folder while it holds another stash', () => {
  const mine = journalInStash(dir, big);
  const other = journalInStash(dir, { ino: 43, birth: '9' });
  for (const j of [mine, other]) {
    create(j);
    writeJournal(j, manifest());
  }
  fs.writeFileSync(path.join(stashFolder(), '43-1.gz'), 'a whole-file stash copy');
  removeJournal(mine);
  expect(fs.readdirSync(stashFolder()).sort()).toEqual(['43-1.gz', '43-9.blocks']);
  expect(readJournal(other, thisFile)).toEqual(manifest());
});

it('never removes the folder above a journal beside FILE, even when it is empty', () => {
  const sub = path.join(dir, 'logs');
  fs.mkdirSync(sub);
  const j = create(journalBeside(sub, big));
  removeJournal(j);
  expect(fs.readdirSync(dir)).toEqual(['logs']);
});

it('a removal stopped partway leaves the manifest, never parts that no manifest names', () => {
  const j = create(journalBeside(dir, big));
  writeJournal(j, manifest());
  writePart(j, 2, [Buffer.from('part')]);
  const rm = fs.rmSync;
  let calls = 0;
  // The run is stopped at its second removal.
  const spy = vi.spyOn(fs, 'rmSync').mockImplementation((p, o) => {
    if (++calls === 2) throw new Error('stopped');
    rm(p, o);
  });
  expect(() => removeJournal(j)).toThrow('stopped');
  spy.mockRestore();
  expect(fs.readdirSync(j.folder)).toEqual(['manifest.json']);
});
