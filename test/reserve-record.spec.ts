// The reserves' record: read at most once a second by a run (-r looked after every file), this process's own changes seen at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { stateFolderName } from '../src/probe/own-folder.js';
import { readReserves, recordReserve } from '../src/steps/reserve-record.js';

let place: string;
const saved = process.env.CMEMGZIP_STATE_DIRS;
beforeEach(() => {
  place = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-reserves-'));
  process.env.CMEMGZIP_STATE_DIRS = place;
});
afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env.CMEMGZIP_STATE_DIRS;
  else process.env.CMEMGZIP_STATE_DIRS = saved;
  fs.rmSync(place, { recursive: true, force: true });
});

const r = (name: string, size = 4096) => ({ path: `/srv/${name}`, ino: 7, size });

it('is read once a second: files in a row share the reading, another run\'s record is seen after that second', () => {
  recordReserve(r('a'));
  expect(readReserves()).toEqual([r('a')]);
  // Another run records a second reserve (written as recordReserve writes it).
  fs.writeFileSync(path.join(place, stateFolderName(), 'reserves.json'), JSON.stringify([r('a'), r('b')]));
  const opened = vi.spyOn(fs, 'openSync');
  expect(readReserves()).toEqual([r('a')]);
  expect(opened).not.toHaveBeenCalled();
  const now = performance.now();
  vi.spyOn(performance, 'now').mockReturnValue(now + 1001);
  expect(readReserves()).toEqual([r('a'), r('b')]);
});

it("sees this process's own change at once", () => {
  recordReserve(r('a'));
  expect(readReserves()).toEqual([r('a')]);
  recordReserve(r('b'));
  expect(readReserves()).toEqual([r('a'), r('b')]);
  recordReserve(r('a', 0));
  expect(readReserves()).toEqual([r('b')]);
});

it('follows a change of the state places (a run with other CMEMGZIP_STATE_DIRS reads its own)', () => {
  recordReserve(r('a'));
  expect(readReserves()).toEqual([r('a')]);
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-reserves-'));
  try {
    process.env.CMEMGZIP_STATE_DIRS = other;
    expect(readReserves()).toEqual([]);
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});
