// Folders held open by descriptor: names in them resolve through /proc/self/fd, whatever the path points to later.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { at, pin, pinnedFd, unpin, withPinned } from '../src/fs/pinned-folders.js';

let base: string;
let dir: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-pin-'));
  dir = path.join(base, 'logs');
  fs.mkdirSync(dir);
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

it('leaves names in folders that are not pinned as they are', () => expect(at(path.join(dir, 'f'))).toBe(path.join(dir, 'f')));

it('hands a name that is not UTF-8 to fs as its bytes, pinned or not', () => {
  const name = path.join(dir, 'caf\udce9.log');
  expect(at(name)).toEqual(Buffer.from(`${dir}/caf\xe9.log`, 'latin1'));
  pin(dir);
  expect(at(name)).toEqual(Buffer.from(`/proc/self/fd/${pinnedFd(dir)}/caf\xe9.log`, 'latin1'));
  unpin(dir);
});

it('sends names in a pinned folder through its descriptor, and lets go after the last unpin', () => {
  pin(dir);
  pin(dir);
  expect(at(path.join(dir, 'f'))).toBe(`/proc/self/fd/${pinnedFd(dir)}/f`);
  unpin(dir);
  expect(pinnedFd(dir)).toBeDefined();
  unpin(dir);
  expect(pinnedFd(dir)).toBeUndefined();
});

it('an unlink and a rename after the folder was swapped for a symlink land in the folder that was pinned', async () => {
  fs.writeFileSync(path.join(dir, 'app.log'), 'mine');
  const elsewhere = path.join(base, 'elsewhere');
  fs.mkdirSync(elsewhere);
  fs.writeFileSync(path.join(elsewhere, 'app.log'), 'not mine');
  await withPinned([dir], async () => {
    fs.renameSync(dir, path.join(base, 'moved'));
    fs.symlinkSync(elsewhere, dir);
    fs.renameSync(at(path.join(dir, 'app.log')), at(path.join(dir, 'app.log.gz')));
    fs.unlinkSync(at(path.join(dir, 'app.log.gz')));
  });
  expect(fs.readdirSync(path.join(base, 'moved'))).toEqual([]);
  expect(fs.readFileSync(path.join(elsewhere, 'app.log'), 'utf8')).toBe('not mine');
  expect(pinnedFd(dir)).toBeUndefined();
});

it('withPinned lets go of every folder pinned inside it, even when the job fails', async () => {
  const sub = path.join(dir, 'journal');
  fs.mkdirSync(sub);
  await expect(withPinned([dir], async () => (pin(sub), Promise.reject(new Error('failed'))))).rejects.toThrow('failed');
  expect([pinnedFd(dir), pinnedFd(sub)]).toEqual([undefined, undefined]);
});

it.each(['/f', '/./f', '/sub/../f', '//f', '/.f', '/..f', '/f/.', '/f/'])('finds the pinned folder however the name spells it (%s after it), as path.resolve reads it', (rest) => {
  pin(dir);
  try {
    for (const name of [`${dir}${rest}`, path.relative(process.cwd(), `${dir}${rest}`)]) {
      const abs = path.resolve(name);
      expect(at(name)).toBe(path.dirname(abs) === dir ? `/proc/self/fd/${pinnedFd(dir)}/${path.basename(abs)}` : name);
    }
  } finally {
    unpin(dir);
  }
});

it('hands a name in a folder that is not pinned over as it is, while another folder is pinned', () => {
  pin(dir);
  try {
    expect(at(path.join(base, 'f'))).toBe(path.join(base, 'f'));
    expect(at(`${dir}/sub/f`)).toBe(`${dir}/sub/f`);
    expect(at(`${dir}/`)).toBe(`${dir}/`);
  } finally {
    unpin(dir);
  }
});
