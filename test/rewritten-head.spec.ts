// A gzip header naming FILE itself, the mark a rewrite in place leaves when its rename never came.
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import { gzipHeader } from '../src/steps/gzip-format.js';
import { namesItself } from '../src/probe/rewritten-head.js';

const ours = (name?: string) => gzipHeader({ name, mtime: 0, level: 6 });

it.each([
  ['our header naming the file', ours('app.log'), true],
  ['our header naming another file', ours('other.log'), false],
  ['a header with no name (-n)', ours(undefined), false],
  ["gzip's own output without a name", zlib.gzipSync('x'), false],
  ['plain text', Buffer.from('2026-01-01 INFO started\n'), false],
  ['too short to be a header', Buffer.from([0x1f, 0x8b, 8]), false],
])('%s: %s', (_what, head, expected) => expect(namesItself(head, 'app.log')).toBe(expected));
