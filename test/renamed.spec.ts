// Where a file went within its folder: what a job follows when logrotate renames FILE to FILE.1.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { identityAt } from '../src/probe/identity.js';
import { currentName, renamedIn } from '../src/probe/renamed.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-renamed-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('finds the name a file has now, and keeps the one it has while it has it', () => {
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'old');
  const id = identityAt(file)!;
  expect(currentName(file, id)).toBe(file);
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, 'new');
  expect(currentName(file, id)).toBe(`${file}.1`);
  expect(renamedIn(dir, id)).toBe(`${file}.1`);
});

it('finds nothing once the file has left the folder', () => {
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'old');
  const id = identityAt(file)!;
  fs.rmSync(file);
  expect(currentName(file, id)).toBeUndefined();
  expect(renamedIn(path.join(dir, 'missing'), id)).toBeUndefined();
});
