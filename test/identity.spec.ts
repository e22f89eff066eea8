// A file's identity: its inode number and birth time, not its device number; the key its records take.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { identityAt, identityOf, recordKey, sameIdentity } from '../src/probe/identity.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-identity-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('is the inode number and the birth time in ns, as digits', () =>
  expect(identityOf({ ino: 12n, birthtimeNs: 1796524651960917881n })).toEqual({ ino: 12, birth: '1796524651960917881' }));
it('names records INODE-BIRTH', () => expect(recordKey({ ino: 12, birth: '1796524651960917881' })).toBe('12-1796524651960917881'));
it.each([
  [{ ino: 1, birth: '5' }, { ino: 1, birth: '5' }, true],
  [{ ino: 1, birth: '5' }, { ino: 1, birth: '6' }, false],
  [{ ino: 1, birth: '5' }, { ino: 2, birth: '5' }, false],
  [{ ino: 1, birth: '5' }, undefined, false],
])('sameIdentity(%o, %o) is %s', (a, b, expected) => expect(sameIdentity(a, b)).toBe(expected));

it('a file made after another was removed is another file, even with its inode number', () => {
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'a');
  const first = identityAt(file)!;
  fs.rmSync(file);
  fs.writeFileSync(file, 'b');
  expect(sameIdentity(identityAt(file), first)).toBe(false);
});

it('a rename keeps the identity; a missing name or a folder has none', () => {
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'a');
  const id = identityAt(file);
  fs.renameSync(file, `${file}.1`);
  expect(identityAt(`${file}.1`)).toEqual(id);
  expect(identityAt(file)).toBeUndefined();
  expect(identityAt(dir)).toBeUndefined();
});
