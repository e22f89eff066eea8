// The stash on disk: data before manifest, incomplete copies found as such, clean removal.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { dropPointer } from '../src/steps/stash-pointer.js';
import { findStashes, removeStash, setStashPhase, stashPaths, STASH_FOLDER, writeStash, type StashManifest } from '../src/steps/stash.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-stash-'))));
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  // Stashes outside the default places leave a note in /dev/shm: take it back.
  ['7-42', '7-43'].forEach(dropPointer);
});

const manifest = (ino = 42): StashManifest => ({
  version: 1, file: '/var/log/app.log', outputPath: '/var/log/app.log.gz', dev: 7, ino, size: 1000, crc: 123, compressedSize: 6,
  uid: 0, gid: 0, mode: 0o100644, atimeMs: 1, mtimeMs: 2, phase: 'stashed', pid: process.pid, createdAt: '2026-01-01T00:00:00.000Z',
});
const chunks = [Buffer.from('gz'), Buffer.alloc(0), Buffer.from('data')];
const ok = async () => {};
const stash = async (ino = 42) => {
  const paths = stashPaths(dir, 7, ino);
  await writeStash(paths, manifest(ino), chunks, ok);
  return paths;
};
const folder = () => path.join(dir, STASH_FOLDER);

it('names the data and manifest after dev and inode, in a folder of its own', () =>
  expect(stashPaths(dir, 7, 42)).toEqual({ key: '7-42', folder: folder(), data: `${folder()}/7-42.gz`, manifest: `${folder()}/7-42.json` }));

it('writes the data, private to its owner, and then the manifest', async () => {
  const paths = stashPaths(dir, 7, 42);
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

it('leaves nothing behind when verification fails', async () => {
  const paths = stashPaths(dir, 7, 42);
  await expect(writeStash(paths, manifest(), chunks, async () => Promise.reject(new Error('bad copy')))).rejects.toThrow('bad copy');
  expect(fs.readdirSync(dir)).toEqual([]);
});

it('never overwrites an existing stash copy', async () => {
  const paths = await stash();
  await expect(writeStash(paths, { ...manifest(), size: 1 }, [Buffer.from('other')], ok)).rejects.toThrow(/EEXIST/);
  expect(fs.readFileSync(paths.data, 'utf8')).toBe('gzdata');
  expect(findStashes([dir])[0].manifest).toEqual(manifest());
});

it('records the phase on disk, with no temporary left', async () => {
  const paths = await stash();
  expect(setStashPhase(paths, manifest(), 'rewriting').phase).toBe('rewriting');
  expect(findStashes([dir])[0].manifest?.phase).toBe('rewriting');
  expect(fs.readdirSync(paths.folder).sort()).toEqual(['7-42.gz', '7-42.json']);
});

it('finds complete stashes with their manifest, and data without one as incomplete', async () => {
  const complete = await stash(1);
  const incomplete = await stash(2);
  fs.rmSync(incomplete.manifest);
  fs.writeFileSync(path.join(folder(), 'unrelated.txt'), '');
  const found = findStashes([dir, `${dir}/`]).sort((a, b) => a.paths.data.localeCompare(b.paths.data));
  expect(found).toEqual([
    { paths: complete, manifest: manifest(1) },
    { paths: incomplete, manifest: undefined },
  ]);
});

it('treats an unreadable manifest as incomplete', async () => {
  const paths = await stash();
  fs.writeFileSync(paths.manifest, '{"version": 1, "fi');
  expect(findStashes([dir])).toEqual([{ paths, manifest: undefined }]);
});

it('finds nothing where there is no stash folder', () => expect(findStashes([dir, path.join(dir, 'missing')])).toEqual([]));

it('removes the folder with the last stash, and only then', async () => {
  const a = await stash(1);
  const b = await stash(2);
  removeStash(a);
  expect(fs.readdirSync(folder())).toEqual(['7-2.gz', '7-2.json']);
  removeStash(b);
  expect(fs.existsSync(folder())).toBe(false);
  expect(() => removeStash(b)).not.toThrow();
});
