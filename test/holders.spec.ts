// findHolders: real child processes holding a temp file open.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { findHolders } from '../src/probe/holders.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-holders-'));
const children: ChildProcess[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A `sleep` child holding file open as its stdin (fd 0) or stdout (fd 1) with the given flags. */
function holder(file: string, flags: string, as: 0 | 1): ChildProcess {
  const fd = fs.openSync(file, flags);
  try {
    const child = spawn('sleep', ['30'], { stdio: as === 0 ? [fd, 'ignore', 'ignore'] : ['ignore', fd, 'ignore'], timeout: 30_000 });
    children.push(child);
    return child;
  } finally {
    fs.closeSync(fd);
  }
}
const idOf = (file: string) => {
  const st = fs.statSync(file);
  return [st.dev, st.ino] as const;
};
const newFile = (name: string) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'x');
  return file;
};

it.each([
  ['appending', 'a', 1, { writes: true, appends: true }],
  ['writing', 'r+', 1, { writes: true, appends: false }],
  ['reading', 'r', 0, { writes: false, appends: false }],
] as const)('finds a child %s the file, with its fd and flags', (what, flags, fd, access) => {
  const file = newFile(`${what}.log`);
  const child = holder(file, flags, fd);
  const scan = findHolders(...idOf(file));
  expect(scan.checked).toBe(true);
  expect(scan.holders).toEqual([{ pid: child.pid, command: 'sleep', fd, ...access }]);
});

it('finds every holder of the same file', () => {
  const file = newFile('shared.log');
  const pids = [holder(file, 'a', 1).pid, holder(file, 'r', 0).pid];
  expect(findHolders(...idOf(file)).holders.map((h) => h.pid).sort()).toEqual(pids.sort());
});

it('finds nothing once the holder has exited', async () => {
  const file = newFile('closed.log');
  const child = holder(file, 'a', 1);
  expect(findHolders(...idOf(file)).holders).toHaveLength(1);
  child.kill('SIGKILL');
  await once(child, 'exit');
  expect(findHolders(...idOf(file)).holders).toEqual([]);
});

it('does not count this process as a holder', () => {
  const file = newFile('ours.log');
  const fd = fs.openSync(file, 'a');
  try {
    expect(findHolders(...idOf(file)).holders).toEqual([]);
  } finally {
    fs.closeSync(fd);
  }
});

it('says so when there is no /proc to look in', () =>
  expect(findHolders(1, 1, path.join(dir, 'no-proc'))).toEqual({ checked: false, hidden: 0, holders: [] }));
