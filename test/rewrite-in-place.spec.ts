// Rewriting FILE over its own blocks, and putting the original back after a failure without losing a writer's appends.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { cutRewritten, openToRewrite, putBack } from '../src/steps/rewrite-in-place.js';
import { writeChunks } from '../src/steps/write-chunks.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-rewrite-'));
  file = path.join(dir, 'app.log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const original = Buffer.from('0123456789'.repeat(10));
const gz = Buffer.from('GZGZGZ');
const target = () => {
  const st = fs.statSync(file);
  return { path: file, dir, dev: st.dev, ino: st.ino, uid: st.uid, gid: st.gid, mode: st.mode, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs, size: original.length };
};

it('rewrites, cuts to the .gz length, and says when the cut happened', () => {
  fs.writeFileSync(file, original);
  const progress = { cut: false };
  const fd = openToRewrite(target());
  writeChunks(fd, [gz], 0);
  cutRewritten(fd, target(), gz.length, { sizes: [original.length], progress });
  fs.closeSync(fd);
  expect(fs.readFileSync(file)).toEqual(gz);
  expect(progress.cut).toBe(true);
});

it('before the cut, puts the original back over the head when a writer appended, and keeps the appended line', () => {
  fs.writeFileSync(file, original);
  const fd = openToRewrite(target());
  writeChunks(fd, [gz], 0);
  fs.appendFileSync(file, 'late line\n');
  expect(() => cutRewritten(fd, target(), gz.length, { sizes: [original.length], original: [original] })).toThrow(/appended to while it was rewritten/);
  fs.closeSync(fd);
  expect(fs.readFileSync(file).toString()).toBe(`${original}late line\n`);
});

it('refuses to rewrite another file that took FILE\'s name', () => {
  fs.writeFileSync(file, original);
  const t = target();
  // Made while FILE still holds its inode, so that it cannot be given the same number.
  fs.writeFileSync(`${file}.new`, 'someone else');
  fs.renameSync(`${file}.new`, file);
  expect(() => openToRewrite(t)).toThrow(/replaced by another file/);
});

it.each([
  ['a few bytes', 'late line\n'],
  ['more than the original held', 'x'.repeat(500)],
])('after the cut, keeps %s a writer appended, after the original', (_what, appended) => {
  fs.writeFileSync(file, Buffer.concat([gz, Buffer.from(appended)]));
  putBack(target(), [original], gz.length, true);
  expect(fs.readFileSync(file).toString()).toBe(original.toString() + appended);
});

it('before the cut, writes the original over the .gz head and keeps what lies past it', () => {
  fs.writeFileSync(file, Buffer.concat([gz, original.subarray(gz.length), Buffer.from('appended\n')]));
  putBack(target(), [original], gz.length, false);
  expect(fs.readFileSync(file).toString()).toBe(`${original}appended\n`);
});

it('never writes over another file that took FILE\'s name', () => {
  fs.writeFileSync(file, gz);
  const t = target();
  fs.rmSync(file);
  fs.writeFileSync(file, 'someone else');
  expect(() => putBack({ ...t, ino: t.ino + 1 }, [original], gz.length, true)).toThrow(/now another file/);
  expect(fs.readFileSync(file, 'utf8')).toBe('someone else');
});
