// The user's own state folders: what is trusted, what is refused, and how files in them are made and read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createOwnFile, readOwnFile, stateFolderIn, tidyStateFolder, writeOwnFile } from '../src/steps/state-folder.js';
import { stateFolderName, unsafeParent, untrustedFolder } from '../src/probe/own-folder.js';

let base: string;
beforeEach(() => (base = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-state-'))));
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const st = (over: Partial<Record<'uid' | 'mode', number>> & { dir?: boolean; link?: boolean }) =>
  ({ uid: over.uid ?? 0, mode: over.mode ?? 0o40700, isDirectory: () => over.dir ?? true, isSymbolicLink: () => over.link ?? false }) as fs.Stats;

it.each([
  ['ours, 0700', st({}), undefined],
  ['missing', undefined, 'it is missing'],
  ['a symlink', st({ link: true }), 'it is a symlink'],
  ['a plain file', st({ dir: false }), 'it is not a folder'],
  ['owned by another user', st({ uid: 65534 }), 'it is owned by uid 65534, not by uid 0'],
  ['readable by the group', st({ mode: 0o40750 }), 'its mode is 0750, not 0700'],
])('untrustedFolder: %s', (_what, stats, why) => expect(untrustedFolder(stats, 0)).toBe(why));

it.each([
  ['root-owned, 0755', st({ mode: 0o40755 }), undefined],
  ['sticky and world-writable (/tmp)', st({ mode: 0o41777 }), undefined],
  ['world-writable without the sticky bit', st({ mode: 0o40777 }), 'it is writable by other users (mode 0777) without the sticky bit'],
  ['group-writable without the sticky bit', st({ mode: 0o40775 }), 'it is writable by other users (mode 0775) without the sticky bit'],
  ['owned by another user', st({ uid: 1000, mode: 0o40755 }), 'it is owned by uid 1000'],
])('unsafeParent: %s', (_what, stats, why) => expect(unsafeParent(stats, 0)).toBe(why));

it('is named after the effective user', () => expect(stateFolderName(1234)).toBe('cmemgzip-1234'));

it('makes the folder at 0700 when asked, and finds it again', () => {
  expect(stateFolderIn(base, false)).toBeUndefined();
  const folder = stateFolderIn(base, true)!;
  expect(folder).toBe(path.join(base, stateFolderName()));
  expect(fs.statSync(folder).mode & 0o7777).toBe(0o700);
  expect(stateFolderIn(base, false)).toBe(folder);
});

it('refuses a place below a folder other users can write without the sticky bit', () => {
  const open = path.join(base, 'open');
  fs.mkdirSync(open);
  fs.chmodSync(open, 0o777);
  expect(() => stateFolderIn(open, true)).toThrow(/its parent .*open: it is writable by other users/);
  expect(fs.readdirSync(open)).toEqual([]);
});

it('walks the folders above a place once: only root or this user can change one found safe', () => {
  stateFolderIn(base, true);
  const stat = vi.spyOn(fs, 'statSync');
  try {
    expect(stateFolderIn(base, false)).toBe(path.join(base, stateFolderName()));
    expect(stat).not.toHaveBeenCalled();
  } finally {
    stat.mockRestore();
  }
});

it('writes a file durably by rename, 0600, leaving no temporary, and reads it back', () => {
  const folder = stateFolderIn(base, true)!;
  writeOwnFile(folder, 'a.json', 'one');
  writeOwnFile(folder, 'a.json', 'two');
  expect(readOwnFile(folder, 'a.json')).toBe('two');
  expect(fs.readdirSync(folder)).toEqual(['a.json']);
  expect(fs.statSync(path.join(folder, 'a.json')).mode & 0o777).toBe(0o600);
});

it('replaces a symlink at a temporary name instead of writing through it', () => {
  const folder = stateFolderIn(base, true)!;
  const victim = path.join(base, 'victim');
  fs.writeFileSync(victim, 'keep');
  fs.symlinkSync(victim, path.join(folder, 'a.json.tmp'));
  writeOwnFile(folder, 'a.json', 'mine');
  expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
  fs.closeSync(createOwnFile(folder, 'b'));
  expect(fs.lstatSync(path.join(folder, 'b')).isFile()).toBe(true);
});

it.each([
  ['a symlink', (f: string) => fs.symlinkSync('/etc/hostname', f)],
  ['owned by another user', (f: string) => (fs.writeFileSync(f, 'x'), fs.chownSync(f, 65534, 65534))],
  ['missing', () => {}],
])('reads nothing from a file that is %s', (_what, make) => {
  const folder = stateFolderIn(base, true)!;
  make(path.join(folder, 'm.json'));
  expect(readOwnFile(folder, 'm.json')).toBeUndefined();
});

it('tidies an empty folder away and keeps one in use', () => {
  const folder = stateFolderIn(base, true)!;
  writeOwnFile(folder, 'a', 'x');
  tidyStateFolder(folder);
  expect(fs.existsSync(folder)).toBe(true);
  fs.rmSync(path.join(folder, 'a'));
  tidyStateFolder(folder);
  expect(fs.existsSync(folder)).toBe(false);
});

it('creates a file without looking for a leftover first, and still replaces one (a file, or a symlink to another file)', () => {
  const folder = stateFolderIn(base, true)!;
  const lstat = vi.spyOn(fs, 'lstatSync');
  try {
    fs.closeSync(createOwnFile(folder, 'new'));
    expect(lstat.mock.calls.filter(([p]) => String(p).endsWith('/new'))).toEqual([]);
  } finally {
    lstat.mockRestore();
  }
  fs.writeFileSync(path.join(folder, 'left'), 'a killed run left this');
  const fd = createOwnFile(folder, 'left');
  fs.writeSync(fd, 'mine');
  fs.closeSync(fd);
  expect(fs.readFileSync(path.join(folder, 'left'), 'utf8')).toBe('mine');
  const victim = path.join(base, 'victim');
  fs.writeFileSync(victim, 'keep');
  fs.symlinkSync(victim, path.join(folder, 'link'));
  fs.closeSync(createOwnFile(folder, 'link'));
  expect(fs.lstatSync(path.join(folder, 'link')).isFile()).toBe(true);
  expect(fs.readFileSync(victim, 'utf8')).toBe('keep');
});

it('looks for a place found safe only once a run (-r finds the notes\' place for every file), and still sees its state folder go', () => {
  const folder = stateFolderIn(base, true)!;
  const exists = vi.spyOn(fs, 'existsSync');
  try {
    expect(stateFolderIn(base, false)).toBe(folder);
    expect(exists.mock.calls.filter(([p]) => String(p) === base)).toEqual([]);
  } finally {
    exists.mockRestore();
  }
  tidyStateFolder(folder);
  expect(stateFolderIn(base, false)).toBeUndefined();
});
