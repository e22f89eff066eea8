// Block mode's file off its name: moved without replacing anything, and never while another process holds it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { identityAt } from '../src/probe/identity.js';
import { hiddenFor, hiddenName, hideSource, isHiddenName } from '../src/steps/hide-source.js';
import { ownFileReason } from '../src/steps/own-names.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-hide-'));
  file = path.join(dir, 'app.log');
  fs.writeFileSync(file, 'the log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const idOf = (f: string) => ({ ...identityAt(f)!, dev: fs.statSync(f).dev });
const never = (why: string) => expect.unreachable(why);

it.each([
  ['/var/log/app.log', '/var/log/.app.log.cmemgzip-source'],
  ['app.log.1', '.app.log.1.cmemgzip-source'],
])('%s waits at %s', (name, hidden) => expect(hiddenName(name)).toBe(hidden));

it('a name past NAME_MAX is shortened, and still known as hidden', () => expect(isHiddenName(hiddenName('x'.repeat(255)))).toBe(true));

it.each([
  ['/var/log/.app.log.cmemgzip-source', '/var/log/app.log'],
  ['/var/log/app.log', undefined],
  [hiddenName(`/var/log/${'x'.repeat(255)}`), undefined],
])('%s stands for %s (-r finishes its job on that name)', (hidden, file) => expect(hiddenFor(hidden)).toBe(file));

it('tells its own names from an operand', () => expect([ownFileReason('.app.log.cmemgzip-source'), ownFileReason('app.log')]).toEqual([expect.stringContaining('block mode'), undefined]));

it('moves the file off its name: the same inode at the hidden name, FILE gone', async () => {
  const id = idOf(file);
  expect(await hideSource(file, id, never)).toBe(hiddenName(file));
  expect(fs.existsSync(file)).toBe(false);
  expect(identityAt(hiddenName(file))).toEqual({ ino: id.ino, birth: id.birth });
});

it('a run stopped between the link and the unlink left both names: FILE goes, nothing else', async () => {
  const id = idOf(file);
  fs.linkSync(file, hiddenName(file));
  expect(await hideSource(file, id, never)).toBe(hiddenName(file));
  expect(fs.readdirSync(dir)).toEqual(['.app.log.cmemgzip-source']);
});

it('another file at the hidden name is never replaced: FILE stays under its name, and the run is told', async () => {
  fs.writeFileSync(hiddenName(file), 'planted');
  const told: string[] = [];
  expect(await hideSource(file, idOf(file), (why) => told.push(why))).toBe(file);
  expect(fs.readFileSync(hiddenName(file), 'utf8')).toBe('planted');
  expect(fs.readFileSync(file, 'utf8')).toBe('the log');
  expect(told).toEqual([expect.stringContaining('EEXIST')]);
});

it('a file no longer under FILE (swapped meanwhile) is not followed: the newcomer keeps its name', async () => {
  const id = idOf(file);
  fs.renameSync(file, `${file}.1`);
  fs.writeFileSync(file, 'the new log');
  expect(await hideSource(file, id, never)).toBe(file);
  expect(fs.readdirSync(dir).sort()).toEqual(['app.log', 'app.log.1']);
});

it('a process holding the file since before the move: FILE gets its name back and the run stops (HELD_OPEN)', async () => {
  const id = idOf(file);
  const fd = fs.openSync(file, 'a');
  const holder = spawn('sleep', ['30'], { stdio: [fd, 'ignore', 'ignore'] });
  fs.closeSync(fd);
  try {
    await expect(hideSource(file, id, never)).rejects.toMatchObject({ code: 'HELD_OPEN', message: expect.stringContaining(String(holder.pid)) });
    expect(fs.readdirSync(dir)).toEqual(['app.log']);
  } finally {
    holder.kill();
  }
}, 10_000);
