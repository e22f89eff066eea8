import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { findHolders } from '../src/probe/holders.js';
import { parseLsof } from '../src/probe/lsof.js';

it.each([
  ['nothing holds it', '', []],
  ['a writer', 'p42\ncsleep\nf3\naw\n', [{ pid: 42, command: 'sleep', fd: 3, writes: true, appends: false }]],
  ['a reader', 'p7\ncless\nf4\nar\n', [{ pid: 7, command: 'less', fd: 4, writes: false, appends: false }]],
  ['two fds of two processes', 'p1\nca\nf3\nau\np2\ncb\nf5\nar\n', [
    { pid: 1, command: 'a', fd: 3, writes: true, appends: false },
    { pid: 2, command: 'b', fd: 5, writes: false, appends: false },
  ]],
  ['cwd and txt entries are not descriptors', 'p9\ncsh\nfcwd\nftxt\n', []],
])('parseLsof: %s', (_name, out, holders) => {
  expect(parseLsof(out)).toEqual(holders);
});

it.skipIf(!fs.existsSync('/usr/bin/lsof'))('without /proc, findHolders asks lsof and finds a real holder', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-lsof-'));
  const file = path.join(dir, 'held.log');
  fs.writeFileSync(file, 'x');
  const child = spawn('sh', ['-c', `exec 3>>'${file}'; echo ready; sleep 30`], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    await new Promise((resolve) => child.stdout!.once('data', resolve));
    const st = fs.statSync(file);
    const scan = findHolders(st.dev, st.ino, '/nonexistent-proc', file);
    expect(scan.checked).toBe(true);
    expect(scan.holders).toContainEqual(expect.objectContaining({ pid: child.pid, fd: 3, writes: true }));
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
