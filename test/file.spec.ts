// probeFile kinds and facts, and sameContent after each kind of change.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { probeFile, sameContent } from '../src/probe/file.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-file-'));
const at = (name: string) => path.join(dir, name);
fs.writeFileSync(at('app.log'), 'hello\n');
fs.mkdirSync(at('folder'));
fs.symlinkSync(at('app.log'), at('link'));
fs.symlinkSync(at('nowhere'), at('dangling'));
execFileSync('mkfifo', [at('fifo')]);
const server = net.createServer();
beforeAll(() => new Promise<void>((resolve) => server.listen(at('socket'), resolve)));
afterAll(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

it.each([
  ['app.log', 'file'],
  ['folder', 'directory'],
  ['link', 'symlink'],
  ['dangling', 'symlink'],
  ['fifo', 'fifo'],
  ['socket', 'socket'],
  ['/dev/null', 'device'],
  ['missing', 'missing'],
])('%s is a %s', (name, kind) => expect(probeFile(path.resolve(dir, name)).kind).toBe(kind));

it('reports the facts of a regular file', () => {
  fs.chmodSync(at('app.log'), 0o640);
  const st = fs.statSync(at('app.log'));
  expect(probeFile(at('app.log'))).toMatchObject({
    path: at('app.log'), dir, base: 'app.log', size: 6, nlink: 1, dev: st.dev, ino: st.ino, uid: st.uid, mode: st.mode,
  });
  expect(probeFile(at('app.log')).mode & 0o777).toBe(0o640);
});

it('keeps the times to the microsecond, as futimes can restore them', () => {
  fs.utimesSync(at('app.log'), 1_700_000_000.123456, 1_700_000_001.654321);
  const { atimeMs, mtimeMs } = probeFile(at('app.log'));
  expect(atimeMs).toBeCloseTo(1_700_000_000_123.456, 2);
  expect(mtimeMs).toBeCloseTo(1_700_000_001_654.321, 2);
});

it('resolves a relative path against the working directory', () =>
  expect(probeFile(path.relative(process.cwd(), at('app.log'))).path).toBe(at('app.log')));

it('counts hard links', () => {
  fs.writeFileSync(at('linked'), 'x');
  fs.linkSync(at('linked'), at('linked2'));
  expect(probeFile(at('linked')).nlink).toBe(2);
});

const changes: [string, boolean, (file: string) => void][] = [
  ['nothing happens', true, () => {}],
  ['a byte is appended', false, (f) => fs.appendFileSync(f, 'x')],
  ['it is rewritten with the same size', false, (f) => fs.writeFileSync(f, 'HELLO\n')],
  ['its mtime is set back', false, (f) => fs.utimesSync(f, 1, 1)],
  ['its mode changes (ctime moves)', false, (f) => fs.chmodSync(f, 0o600)],
  ['it is replaced by another file', false, (f) => (fs.rmSync(f), fs.writeFileSync(`${f}.other`, 'pad'), fs.writeFileSync(f, 'hello\n'))],
];
it.each(changes)('sameContent after %s: %s', async (_what, same, change) => {
  const file = at(`c-${Math.random()}`);
  fs.writeFileSync(file, 'hello\n');
  const before = probeFile(file);
  await new Promise((r) => setTimeout(r, 5)); // let the clock move, so that a change shows in the times
  change(file);
  expect(sameContent(before, probeFile(file))).toBe(same);
});
