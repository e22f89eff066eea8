// What FILE must hold for a safety copy's record to act on it: the original's bytes, or the .gz's first ones.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { beginsWith, holdsOriginal } from '../src/steps/record-proof.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-proof-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const original = Buffer.from('a log line\n'.repeat(2000));
const copy = zlib.gzipSync(original);
const write = (name: string, data: Buffer) => (fs.writeFileSync(path.join(dir, name), data), path.join(dir, name));

it.each([
  ['the original', original, true],
  ['the original and lines appended since', Buffer.concat([original, Buffer.from('more\n')]), true],
  ['another file of the same size', Buffer.alloc(original.length, 'x'), false],
  ['the original cut short', original.subarray(0, 100), false],
])('holdsOriginal: %s -> %s', (_what, data, expected) => {
  const file = write('app.log', data);
  expect(holdsOriginal(file, { size: original.length, crc: zlib.crc32(original) })).toBe(expected);
  const fd = fs.openSync(file, 'r');
  expect(holdsOriginal(fd, { size: original.length, crc: zlib.crc32(original) })).toBe(expected);
  fs.closeSync(fd);
});

it.each([
  ['the .gz written over its head', Buffer.concat([copy, original.subarray(copy.length)]), true],
  ['the whole .gz, cut to its length', copy, true],
  ['a new log', original, false],
])('beginsWith: %s -> %s', (_what, data, expected) =>
  expect(beginsWith(write('app.log', data), write('copy.gz', copy), copy.length)).toBe(expected));
