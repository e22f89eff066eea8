// Resolving a folder one name at a time, following only symlinks owned by root or by the effective user.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { resolveTrusted } from '../src/fs/safe-path.js';

let base: string;
beforeEach(() => (base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-path-')))));
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const real = (p: string) => ({ real: p, dev: fs.statSync(p).dev, ino: fs.statSync(p).ino });

it('resolves a plain folder to itself', () => expect(resolveTrusted(base)).toEqual(real(base)));

it('follows a symlink of ours, relative or absolute, and .. inside its target', () => {
  fs.mkdirSync(path.join(base, 'a/b'), { recursive: true });
  fs.symlinkSync('a/b', path.join(base, 'rel'));
  fs.symlinkSync(path.join(base, 'a'), path.join(base, 'abs'));
  fs.symlinkSync('b/..', path.join(base, 'a/up'));
  expect(resolveTrusted(path.join(base, 'rel'))).toEqual(real(path.join(base, 'a/b')));
  expect(resolveTrusted(path.join(base, 'abs/b'))).toEqual(real(path.join(base, 'a/b')));
  expect(resolveTrusted(path.join(base, 'abs/up'))).toEqual(real(path.join(base, 'a')));
});

it('refuses a symlink another user owns, naming it', () => {
  fs.mkdirSync(path.join(base, 'target'));
  const link = path.join(base, 'theirs');
  fs.symlinkSync(path.join(base, 'target'), link);
  fs.lchownSync(link, 65534, 65534);
  expect(() => resolveTrusted(path.join(link, 'x'), 0)).toThrow(`${link} is a symlink owned by uid 65534`);
});

it('refuses a loop of symlinks', () => {
  fs.symlinkSync(path.join(base, 'b'), path.join(base, 'a'));
  fs.symlinkSync(path.join(base, 'a'), path.join(base, 'b'));
  expect(() => resolveTrusted(path.join(base, 'a'))).toThrow(/too many levels of symbolic links/);
});

it('asks the kernel for the effective uid at most once a run (-r asked it some 16 times a file)', async () => {
  const { euid } = await import('../src/fs/safe-path.js');
  const asked = vi.spyOn(process, 'geteuid');
  try {
    for (let i = 0; i < 5; i++) expect(euid()).toBe(euid());
    expect(asked.mock.calls.length).toBeLessThanOrEqual(1);
  } finally {
    asked.mockRestore();
  }
});
