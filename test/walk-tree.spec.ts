// -r's walk: files in name order, each with why it is passed over; a hidden name stands for FILE only with its journal beside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { identityAt } from '../src/probe/identity.js';
import { journalBeside } from '../src/steps/journal.js';
import { walkOperands } from '../src/run/walk-tree.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-walk-'))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const walk = () => [...walkOperands([dir], { decompress: false, suffix: '.gz' })];

it('looks for no journal beside a file whose name is not a hidden one (-r looked beside every file)', () => {
  for (const name of ['a.log', 'b.log', '.c.log']) fs.writeFileSync(path.join(dir, name), 'line\n');
  const exists = vi.spyOn(fs, 'existsSync');
  try {
    expect(walk()).toEqual(['.c.log', 'a.log', 'b.log'].map((name) => ({ file: path.join(dir, name), ignore: undefined, size: 5 })));
    expect(exists.mock.calls.filter(([p]) => String(p).includes('cmemgzip-blocks'))).toEqual([]);
  } finally {
    exists.mockRestore();
  }
});

it("a hidden name stands for FILE when its journal is beside it, and is FILE's own temporary name otherwise", () => {
  const hidden = path.join(dir, '.app.log.cmemgzip-source');
  fs.writeFileSync(hidden, 'line\n');
  expect(walk()).toEqual([{ file: hidden, ignore: expect.stringContaining('block mode'), size: 5 }]);
  fs.mkdirSync(journalBeside(dir, identityAt(hidden)!).folder);
  expect(walk()).toContainEqual({ file: path.join(dir, 'app.log') });
});
