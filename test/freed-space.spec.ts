// allocatedBytes and freedBytes: blocks on disk before and after, for small, sparse and kept files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { allocatedBytes, freedBytes } from '../src/probe/freed-space.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-freed-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (name: string) => path.join(dir, name);
const block = () => fs.statSync(dir).blksize;

it('counts a gone file as 0 and a small one as whole blocks', () => {
  fs.writeFileSync(at('small'), 'six b\n');
  expect(allocatedBytes(at('none'))).toBe(0);
  expect(allocatedBytes(at('small')) % 512).toBe(0);
  expect(allocatedBytes(at('small'))).toBeGreaterThan(0);
});

it('counts a sparse file by what it holds, not by its size', () => {
  fs.writeFileSync(at('sparse'), '');
  fs.truncateSync(at('sparse'), 64 * 2 ** 20);
  expect(allocatedBytes(at('sparse'))).toBeLessThan(2 ** 20);
});

it('finds 0 freed, not minus a block, when a one-block file became a one-block .gz', () => {
  fs.writeFileSync(at('a'), 'small\n');
  const facts = { path: at('a'), dev: fs.statSync(at('a')).dev };
  const before = allocatedBytes(at('a'));
  fs.writeFileSync(at('a.gz'), Buffer.alloc(34, 1));
  fs.rmSync(at('a'));
  expect(freedBytes(facts, before, at('a.gz'))).toBe(0);
});

it('finds the difference of blocks when the .gz is smaller, and nothing freed when the input is kept', () => {
  fs.writeFileSync(at('b'), Buffer.alloc(8 * block(), 7));
  const facts = { path: at('b'), dev: fs.statSync(at('b')).dev };
  const before = allocatedBytes(at('b'));
  fs.writeFileSync(at('b.gz'), Buffer.alloc(block(), 1));
  expect(freedBytes(facts, before, at('b.gz'))).toBe(-allocatedBytes(at('b.gz')));
  fs.rmSync(at('b'));
  expect(freedBytes(facts, before, at('b.gz'))).toBe(before - allocatedBytes(at('b.gz')));
});

it('does not count an output on another filesystem', () => {
  fs.writeFileSync(at('c'), Buffer.alloc(2 * block(), 7));
  const before = allocatedBytes(at('c'));
  fs.rmSync(at('c'));
  expect(freedBytes({ path: at('c'), dev: -1 }, before, at('b.gz'))).toBe(before);
});
