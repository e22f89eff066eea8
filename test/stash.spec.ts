// The stash on disk: data before manifest in the user's own state folder, incomplete copies found as such, clean removal, manifests as data.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { stateFolderName } from '../src/probe/own-folder.js';
import { findStashes, newStashManifest, parseStashManifest, removeStash, setStashPhase, stashPaths, writeStash, type StashManifest } from '../src/steps/stash.js';

let dir: string;
let notes: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-stash-'));
  notes = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-notes-'));
  process.env.CMEMGZIP_STATE_DIRS = notes;
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(notes, { recursive: true, force: true });
  delete process.env.CMEMGZIP_STATE_DIRS;
});

const facts = { dev: 7, ino: 42, birth: '9', uid: 0, gid: 0, mode: 0o100644, atimeMs: 1, mtimeMs: 2 };
const where = { fsType: 0x01021994, name: '/var/log/app.log' };
const id = (ino: number) => ({ ino, birth: '9' });
const manifest = (ino = 42): StashManifest => ({ ...newStashManifest({ ...facts, ino }, where, { size: 1000, crc: 123 }, 6), createdAt: '2026-01-01T00:00:00.000Z' });
const chunks = [Buffer.from('gz'), Buffer.alloc(0), Buffer.from('data')];
const ok = async () => {};
const stash = async (ino = 42) => {
  const paths = stashPaths(dir, id(ino));
  await writeStash(paths, manifest(ino), chunks, ok);
  return paths;
};
const folder = () => path.join(dir, stateFolderName());
const find = (dirs = [dir], keys = ['42-9']) => findStashes(dirs, keys, () => {});

it("names the data and manifest after the file's inode and birth time (never the device: it changes with a remount), in the user's own folder", () =>
  expect(stashPaths(dir, id(42))).toEqual({ key: '42-9', dir, folder: folder(), data: `${folder()}/42-9.gz`, manifest: `${folder()}/42-9.json` }));

it("never writes a safety copy over another job's record under the same name", async () => {
  const paths = await stash();
  await expect(writeStash(paths, { ...manifest(), size: 5 }, [Buffer.from('other')], ok)).rejects.toThrow(/earlier job on this file that does not match it/);
  expect(fs.readFileSync(paths.data, 'utf8')).toBe('gzdata');
  expect(find()[0].manifest).toEqual(manifest());
});

it('a manifest holds facts and no path', () => expect(Object.keys(manifest()).filter((k) => /file|path/i.test(k))).toEqual([]));

it('writes the data, private to its owner, and then the manifest', async () => {
  const paths = stashPaths(dir, id(42));
  let manifestDuringVerify: boolean | undefined;
  await writeStash(paths, manifest(), chunks, async (file) => {
    expect(fs.readFileSync(file, 'utf8')).toBe('gzdata');
    manifestDuringVerify = fs.existsSync(paths.manifest);
  });
  expect(manifestDuringVerify).toBe(false);
  expect(JSON.parse(fs.readFileSync(paths.manifest, 'utf8'))).toEqual(manifest());
  expect(fs.statSync(paths.data).mode & 0o777).toBe(0o600);
  expect(fs.statSync(paths.folder).mode & 0o777).toBe(0o700);
});

it('leaves no copy behind when verification fails', async () => {
  const paths = stashPaths(dir, id(42));
  await expect(writeStash(paths, manifest(), chunks, async () => Promise.reject(new Error('bad copy')))).rejects.toThrow('bad copy');
  expect(fs.readdirSync(dir)).toEqual([]);
});

it('records the phase on disk, with no temporary left', async () => {
  const paths = await stash();
  expect(setStashPhase(paths, manifest(), 'rewriting').phase).toBe('rewriting');
  expect(find()[0].manifest?.phase).toBe('rewriting');
  expect(fs.readdirSync(paths.folder).sort()).toEqual(['42-9.gz', '42-9.json']);
});

it('finds the stashes of the keys asked for, with their manifest, and data without one as incomplete', async () => {
  const complete = await stash(1);
  const incomplete = await stash(2);
  await stash(3);
  fs.rmSync(incomplete.manifest);
  const found = find([dir, `${dir}/`], ['1-9', '2-9']);
  expect(found).toEqual([
    { paths: complete, manifest: manifest(1) },
    { paths: incomplete, manifest: undefined },
  ]);
});

it.each([
  ['a half-written manifest', '{"version": 2, "de'],
  ['a manifest of the old shape, with paths', JSON.stringify({ ...manifest(), version: 1, file: '/etc/shadow', outputPath: '/tmp/x' })],
  ['a manifest naming another file', JSON.stringify({ ...manifest(), ino: 43 })],
  ['a manifest of another file that got the same inode number', JSON.stringify({ ...manifest(), birth: '10' })],
  ['a manifest of the version before (matched by device and inode)', JSON.stringify({ ...manifest(), version: 2 })],
  ['a manifest with a fact missing', JSON.stringify({ ...manifest(), crc: undefined })],
])('treats %s as no manifest', async (_what, text) => {
  const paths = await stash();
  fs.writeFileSync(paths.manifest, text);
  expect(find()).toEqual([{ paths, manifest: undefined }]);
});

it('parses only its own shape', () => expect(parseStashManifest(JSON.stringify(manifest()), '42-9')).toEqual(manifest()));

it('finds nothing where there is no state folder', () => expect(find([dir, path.join(dir, 'missing')])).toEqual([]));

it.each([
  ['a plain file', (f: string) => fs.writeFileSync(f, '')],
  ['a folder open to others', (f: string) => fs.mkdirSync(f, { mode: 0o777 })],
  ['a symlink to a folder', (f: string) => (fs.mkdirSync(`${f}.real`, { mode: 0o700 }), fs.symlinkSync(`${f}.real`, f))],
  ['a folder owned by another user', (f: string) => (fs.mkdirSync(f, { mode: 0o700 }), fs.chownSync(f, 65534, 65534))],
])('never looks into, writes to or removes a state folder that is %s', async (_what, plant) => {
  plant(folder());
  const refusals: string[] = [];
  expect(findStashes([dir], ['42-9'], (why) => refusals.push(why))).toEqual([]);
  expect(refusals.join()).toMatch(/cannot hold cmemgzip's state/);
  await expect(writeStash(stashPaths(dir, id(42)), manifest(), chunks, ok)).rejects.toThrow(/cannot hold cmemgzip's state/);
  expect(() => removeStash(stashPaths(dir, id(42)))).toThrow(/cannot hold/);
  expect(fs.lstatSync(folder())).toBeTruthy();
});

it('removes a stash and keeps the others; the state folder goes with the last', async () => {
  const a = await stash(1);
  const b = await stash(2);
  removeStash(a);
  expect(fs.readdirSync(folder())).toEqual(['2-9.gz', '2-9.json']);
  removeStash(b);
  expect(fs.readdirSync(dir)).toEqual([]);
  expect(() => removeStash(b)).not.toThrow();
});
