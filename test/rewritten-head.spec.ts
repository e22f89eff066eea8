// A gzip header naming FILE itself, the mark a rewrite in place leaves when its rename never came.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gzipHeader } from '../src/steps/gzip-format.js';
import { namesItself, readHead } from '../src/probe/rewritten-head.js';

const ours = (name?: string) => gzipHeader({ name, mtime: 0, level: 6 });

it.each([
  ['our header naming the file', ours('app.log'), true],
  ['our header naming another file', ours('other.log'), false],
  ['a header with no name (-n)', ours(undefined), false],
  ["gzip's own output without a name", zlib.gzipSync('x'), false],
  ['plain text', Buffer.from('2026-01-01 INFO started\n'), false],
  ['too short to be a header', Buffer.from([0x1f, 0x8b, 8]), false],
])('%s: %s', (_what, head, expected) => expect(namesItself(head, 'app.log')).toBe(expected));

describe('readHead', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-head-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads 10 bytes of a file that is not a gzip header with a name (a plain log), not 64 KiB', () => {
    const log = path.join(dir, 'app.log');
    fs.writeFileSync(log, 'x'.repeat(100_000));
    expect(readHead(log).length).toBe(10);
    fs.writeFileSync(log, zlib.gzipSync('x'.repeat(100_000)));
    expect(readHead(log).length).toBe(10);
    fs.writeFileSync(log, 'short');
    expect(readHead(log)).toEqual(Buffer.from('short'));
  });

  it('reads the whole header of a file whose header names it, long name or extra field', () => {
    const log = path.join(dir, 'app.log');
    const head = ours('app.log');
    fs.writeFileSync(log, Buffer.concat([head, Buffer.alloc(70_000, 1)]));
    expect(namesItself(readHead(log), 'app.log')).toBe(true);
    const extra = Buffer.from(head);
    extra[3] |= 0x04;
    const withExtra = Buffer.concat([extra.subarray(0, 10), Buffer.from([4, 0, 1, 2, 3, 4]), extra.subarray(10)]);
    fs.writeFileSync(log, Buffer.concat([withExtra, Buffer.alloc(70_000, 1)]));
    expect(namesItself(readHead(log), 'app.log')).toBe(true);
  });
});
