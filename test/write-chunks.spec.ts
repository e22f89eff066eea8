// writeChunks: many (and empty) buffers, in order, at an offset; fsyncDir.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { closeJudged, fsyncDir, writeChunks } from '../src/steps/write-chunks.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-write-chunks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes chunks into a file that already holds `before`, at position; returns the end offset and the file. */
function write(chunks: Buffer[], position = 0, before = Buffer.alloc(0)) {
  const file = path.join(dir, 'out');
  fs.writeFileSync(file, before);
  const fd = fs.openSync(file, 'r+');
  try {
    return { end: writeChunks(fd, chunks, position), bytes: fs.readFileSync(file) };
  } finally {
    fs.closeSync(fd);
  }
}
// More buffers than one writev takes (IOV_MAX, 1024), every third one empty.
const many = Array.from({ length: 2500 }, (_, i) => (i % 3 === 0 ? Buffer.alloc(0) : crypto.randomBytes(1 + (i % 700))));

it.each([
  ['no chunks', []],
  ['only empty chunks', [Buffer.alloc(0), Buffer.alloc(0)]],
  ['one chunk', [Buffer.from('abc')]],
  ['2500 chunks, some empty', many],
])('writes %s in order and returns the end offset', (_what, chunks) => {
  const { end, bytes } = write(chunks);
  expect(bytes.equals(Buffer.concat(chunks))).toBe(true);
  expect(end).toBe(bytes.length);
});

it('writes at an offset, leaving the bytes before and after it alone', () => {
  const before = Buffer.alloc(10_000, 'x');
  const { end, bytes } = write(many.slice(0, 30), 100, before);
  const written = Buffer.concat(many.slice(0, 30));
  expect(end).toBe(100 + written.length);
  expect(bytes.equals(Buffer.concat([before.subarray(0, 100), written, before.subarray(end)]))).toBe(true);
});

it('writes 2500 chunks at an offset past the end of the file', () => {
  const { end, bytes } = write(many, 5);
  expect(bytes.equals(Buffer.concat([Buffer.alloc(5), ...many]))).toBe(true);
  expect(end).toBe(bytes.length);
});

it('fsyncs a folder, and refuses a file', () => {
  expect(() => fsyncDir(dir)).not.toThrow();
  fs.writeFileSync(path.join(dir, 'plain'), '');
  expect(() => fsyncDir(path.join(dir, 'plain'))).toThrow(/ENOTDIR/);
});

it('closeJudged closes, and still throws on a descriptor that is not open (a bug of ours, not the disk)', () => {
  const fd = fs.openSync(path.join(dir, 'plain'), 'r');
  closeJudged(fd);
  expect(() => fs.fstatSync(fd)).toThrow(/EBADF/);
  expect(() => closeJudged(fd)).toThrow(/EBADF/);
});
