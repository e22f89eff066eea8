// fileWriteBlock, folderWriteBlock and unwritableFor on real files: what can be changed is not blocked,
// and a check opens nothing it could change. Read-only mounts and chattr need root: see test/e2e/real-files.spec.ts.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { fileWriteBlock, folderWriteBlock, unwritableFor } from '../src/probe/writable.js';
import { warnSkip } from './e2e/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-writable-'));
const file = path.join(dir, 'app.log');
fs.writeFileSync(file, 'line\n');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const asRoot = isRoot ? 'ROOT: write permission cannot be denied to root; the "denied" case of writable.spec.ts is SKIPPED' : undefined;

it('a file and folder of ours: nothing blocks, and the file is unchanged', () => {
  const before = fs.statSync(file, { bigint: true });
  expect(fileWriteBlock(file)).toBeUndefined();
  expect(folderWriteBlock(dir)).toBeUndefined();
  expect(unwritableFor(file, dir, dir, false)).toBeUndefined();
  const after = fs.statSync(file, { bigint: true });
  expect([after.size, after.mtimeNs, after.ctimeNs]).toEqual([before.size, before.mtimeNs, before.ctimeNs]);
});

it('-k checks only the output folder: FILE itself is never opened for writing', () =>
  expect(unwritableFor(path.join(dir, 'missing.log'), '/nonexistent', dir, true)).toBeUndefined());

it.skipIf(warnSkip(asRoot))('without write permission (not root): denied, the file first, then its folder', () => {
  fs.chmodSync(file, 0o444);
  expect(unwritableFor(file, dir, dir, false)).toEqual({ path: file, what: 'file', why: 'denied' });
  fs.chmodSync(file, 0o644);
  fs.chmodSync(dir, 0o555);
  expect(unwritableFor(file, dir, dir, false)).toEqual({ path: dir, what: 'folder', why: 'denied' });
  fs.chmodSync(dir, 0o755);
});

it('a symlink is not followed for writing', () => {
  const link = path.join(dir, 'link');
  fs.symlinkSync(file, link);
  expect(() => fileWriteBlock(link)).toThrow(/ELOOP/);
});
