// Folder fsyncs shared by the files that changed a folder at about the same time, never one begun before a change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { syncFolder } from '../src/steps/folder-sync.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-sync-'))));
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('changes made in the same turn share one fsync', async () => {
  const fsync = vi.spyOn(fs, 'fsyncSync');
  await Promise.all(Array.from({ length: 5 }, () => syncFolder(dir)));
  expect(fsync).toHaveBeenCalledTimes(1);
});

it('a change made once an fsync began gets another', async () => {
  const fsync = vi.spyOn(fs, 'fsyncSync');
  const first = syncFolder(dir);
  await first;
  await syncFolder(dir);
  expect(fsync).toHaveBeenCalledTimes(2);
});

it('each folder has its own', async () => {
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-sync-'));
  const fsync = vi.spyOn(fs, 'fsyncSync');
  try {
    await Promise.all([syncFolder(dir), syncFolder(other), syncFolder(dir)]);
    expect(fsync).toHaveBeenCalledTimes(2);
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});

it('a failed fsync fails every change that waited for it', async () => {
  vi.spyOn(fs, 'fsyncSync').mockImplementation(() => {
    throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' });
  });
  const both = [syncFolder(dir), syncFolder(dir)];
  for (const p of both) await expect(p).rejects.toMatchObject({ code: 'EIO' });
});
