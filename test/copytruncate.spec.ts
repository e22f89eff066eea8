// --copytruncate's lists (beside, beside an earlier archive, through a stash, appending or not), and a failure
// at every step against a real file in a tmp dir: which undos ran, and where FILE's bytes are after it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Place } from '../src/plan/copytruncate-place.js';
import type { Copy } from '../src/plan/steps.js';
import { probeFile } from '../src/probe/file.js';
import type { StashCandidate } from '../src/probe/stash.js';
import type { Logger } from '../src/report/logger.js';
import { execute } from '../src/run/executor.js';
import { earlierArchive } from '../src/steps/append-archive.js';
import { compressSource } from '../src/steps/compress.js';
import { headerFieldsFor } from '../src/steps/header-fields.js';
import { readBlocks } from '../src/steps/read-blocks.js';
import { stashPaths } from '../src/steps/stash.js';
import { readTruncateRecord } from '../src/steps/truncate-record.js';
import { NotDurable, tempPathFor } from '../src/steps/write-beside.js';
import type { Action, Listed } from '../src/strategies/action.js';
import { onlyInStash, truncateSteps, type TruncateCtx } from '../src/strategies/copytruncate.js';

/** A folder's fsync that fails (EIO) when set: the fault a NotDurable stands for. */
const folderSync = vi.hoisted(() => ({ fails: false }));
vi.mock('../src/steps/folder-sync.js', async (original) => {
  const real = await original<typeof import('../src/steps/folder-sync.js')>();
  return { syncFolder: (d: string) => (folderSync.fails ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) : real.syncFolder(d)) };
});

const sizes = { size: 1000, compressedSize: 100 };
const stashOn = (ramBacked: boolean, dir = '/stash'): StashCandidate => ({ dir, explicit: true, fs: { ramBacked, mountPoint: dir, type: ramBacked ? 'tmpfs' : 'ext4' } as StashCandidate['fs'] });
const beside: Place = { kind: 'beside', reason: '' };
const appended: Place = { kind: 'beside', reason: '', append: true };
const stashed = (dir?: string): Place => ({ kind: 'stash', stash: stashOn(false, dir), reason: '' });
const stashAppended = (dir?: string): Place => ({ kind: 'stash', stash: stashOn(false, dir), reason: '', append: true });

const custody = (steps: readonly Listed<TruncateCtx>[]) => steps.map((s) => `${s.name}: ${s.copies.map((c: Copy) => c.join('+')).join(' | ')}`);
/** How each step acts: C commits, H holds signals, U has an undo. */
const flags = (steps: readonly Listed<TruncateCtx>[]) =>
  steps.map((s) => { const a = s as Action<TruncateCtx>; return `${a.commits ? 'C' : ''}${a.held ? 'H' : ''}${a.undo ? 'U' : ''}` || '-'; }).join(' ');

describe('the lists', () => {
  it('beside: the temporary .gz under its name, caught up, then FILE cut', () =>
    expect([custody(truncateSteps(beside, sizes)), flags(truncateSteps(beside, sizes))]).toEqual([
      [
        'read and compress: file',
        'write the temporary .gz: file | memory',
        'fsync the temporary: file | memory',
        'verify the .gz against the bytes read: file | gz | memory',
        'rename it to the .gz name: file | gz | memory',
        'fsync the folder: file | gz | memory',
        'catch up with bytes appended meanwhile: file | gz',
        'truncate FILE to 0 bytes: gz',
        'fsync FILE: gz',
        'verify the .gz against the bytes read: gz',
      ],
      '- U - - U - - CH H H',
    ]));

  it('beside an earlier archive: one temporary with the archive then the new member, renamed over it with signals held', () =>
    expect([custody(truncateSteps(appended, sizes)), flags(truncateSteps(appended, sizes))]).toEqual([
      [
        'read and compress: file',
        "write the temporary .gz: the earlier archive's bytes, then the new member: file | memory",
        'verify the .gz against the bytes read: file | gz | memory',
        'catch up with bytes appended meanwhile: file | gz',
        'rename it to the .gz name: file | gz',
        'fsync the folder: file | gz',
        'truncate FILE to 0 bytes: gz',
        'fsync FILE: gz',
        'verify the .gz against the bytes read: gz',
      ],
      '- U - - H H CH H H',
    ]));

  it('through a stash: the stash holds FILE from the truncation until the .gz is durable', () =>
    expect([custody(truncateSteps(stashed(), sizes)), flags(truncateSteps(stashed(), sizes))]).toEqual([
      [
        'read and compress: file',
        'write the safety copy (fsync, verify, manifest): file | memory',
        'catch up with bytes appended meanwhile: file | stash',
        'truncate FILE to 0 bytes: stash',
        'fsync FILE: stash',
        'write the temporary .gz: stash',
        'fsync the temporary: stash',
        'verify the .gz against the bytes read: stash | gz',
        'rename it to the .gz name: stash | gz',
        'fsync the folder: stash | gz',
        'remove the safety copy: gz',
      ],
      '- U - CH H HU H H CH H H',
    ]));

  it('through a stash onto an earlier archive: appended in place once the room is free', () =>
    expect([custody(truncateSteps(stashAppended(), sizes)).slice(3), flags(truncateSteps(stashAppended(), sizes))]).toEqual([
      ['truncate FILE to 0 bytes: stash', 'fsync FILE: stash', 'append the safety copy to the earlier archive, fsync, verify: stash', 'remove the safety copy: gz'],
      '- U - CH H H H',
    ]));

  it('a stash in RAM and a .gz onto RAM are named so', () => {
    const steps = truncateSteps({ kind: 'stash', stash: stashOn(true), reason: '' }, { ...sizes, gz: 'ram-gz' });
    expect(custody(steps).slice(3, 4).concat(custody(steps).slice(-1))).toEqual(['truncate FILE to 0 bytes: ram-stash', 'remove the safety copy: ram-gz']);
  });
});

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-ct-'));
  fs.mkdirSync(path.join(dir, 'notes'));
  fs.mkdirSync(path.join(dir, 'stash'));
  process.env.CMEMGZIP_STATE_DIRS = path.join(dir, 'notes');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env.CMEMGZIP_STATE_DIRS;
});

const ORIGINAL = Buffer.from(Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join(''));
const OLD = Buffer.from('what an earlier run copied\n');
const logger = () => ({ info: () => {}, detail: () => {}, warn: () => {}, error: () => {}, success: () => {} }) as unknown as Logger;
const gunzip = (file: string) => {
  try {
    return zlib.gunzipSync(fs.readFileSync(file));
  } catch {
    return undefined;
  }
};

type Kind = 'beside' | 'appended' | 'stash' | 'stash appended';
type Failure = 'before' | 'after';

/** A real FILE (and earlier archive) in dir, the ctx a run builds, and the list for the place. */
async function job(kind: Kind) {
  const file = path.join(dir, 'app.log');
  const outputPath = `${file}.gz`;
  fs.writeFileSync(file, ORIGINAL);
  if (kind.endsWith('appended')) fs.writeFileSync(outputPath, zlib.gzipSync(OLD));
  const facts = probeFile(file);
  const readFd = fs.openSync(file, 'r');
  const writeFd = fs.openSync(file, fs.constants.O_WRONLY);
  const first = readBlocks(readFd);
  const compressed = await compressSource(first, headerFieldsFor(facts, { level: 6 }));
  const archive = kind.endsWith('appended') ? await earlierArchive(outputPath, facts) : undefined;
  const ctx: TruncateCtx = { name: file, readFd, writeFd, facts, outputPath, level: 6, first, compressed, archive, say: { info: () => {}, warn: () => {} } };
  const stashDir = path.join(dir, 'stash');
  const place = { beside, appended, stash: stashed(stashDir), 'stash appended': stashAppended(stashDir) }[kind];
  const s = { size: first.size, compressedSize: compressed.size };
  const close = () => [readFd, writeFd].forEach((fd) => fs.closeSync(fd));
  return { file, outputPath, ctx, steps: truncateSteps(place, s), stash: stashPaths(stashDir, facts), close };
}

/** Runs the list with step `at` failing (before it acts, or after it acted); what undid and where the bytes are. */
async function failAt(kind: Kind, at: number, how: Failure = 'before') {
  const j = await job(kind);
  const undone: number[] = [];
  const steps = j.steps.map((s, i) => {
    if (i === 0) return s;
    const a = s as Action<TruncateCtx>;
    const fail = () => {
      throw new Error(`injected at ${i}`);
    };
    return {
      ...a,
      run: async (c: TruncateCtx) => {
        if (i === at && how === 'before') fail();
        await a.run!(c);
        if (i === at) fail();
      },
      ...(a.undo ? { undo: (c: TruncateCtx) => (undone.push(i), a.undo!(c)) } : {}),
    };
  });
  let thrown: unknown;
  const error = await execute({ steps, ctx: j.ctx, log: logger(), into: {}, done: [{ name: steps[0].name, ms: 0 }], leftBehind: (e, c) => (onlyInStash(c) ? 'left behind' : e) }).then(
    () => 'none',
    (e: unknown) => ((thrown = e), typeof e === 'string' ? e : 'cause'),
  );
  j.close();
  return { undone, error: thrown instanceof NotDurable ? 'not durable' : error, where: where(j), note: readTruncateRecord(j.ctx.facts) !== undefined, temp: fs.existsSync(tempPathFor(j.outputPath)) };
}

/** The places that hold every byte of FILE: FILE itself, the .gz (after the earlier archive's content, if any), the stash's copy. */
function where(j: Awaited<ReturnType<typeof job>>): string[] {
  const places: string[] = [];
  if (fs.readFileSync(j.file).equals(ORIGINAL)) places.push('file');
  const prefix = j.ctx.archive ? OLD : Buffer.alloc(0);
  const gz = fs.existsSync(j.outputPath) ? gunzip(j.outputPath) : undefined;
  if (gz?.equals(Buffer.concat([prefix, ORIGINAL]))) places.push('gz');
  else if (j.ctx.archive && gz && !gz.equals(OLD)) places.push('archive changed');
  if (fs.existsSync(j.stash.data) && gunzip(j.stash.data)?.equals(ORIGINAL)) places.push('stash');
  return places;
}

describe('a failure at each step', () => {
  it.each([
    // index, undos run (reverse), error thrown, where FILE's bytes are, the truncate note left
    [1, [1], 'cause', ['file'], false],
    [2, [1], 'cause', ['file'], false],
    [3, [1], 'cause', ['file'], false],
    [4, [4, 1], 'cause', ['file'], false],
    [5, [4, 1], 'cause', ['file'], false],
    [6, [4, 1], 'cause', ['file'], false],
    [7, [4, 1], 'cause', ['file'], false],
    [8, [], 'cause', ['gz'], false],
    [9, [], 'cause', ['gz'], false],
  ] as const)('beside, at step %i: undoes %j', async (at, undone, error, places, note) =>
    expect(await failAt('beside', at)).toEqual({ undone, error, where: places, note, temp: false }));

  it.each([
    [1, [1], ['file'], false],
    [2, [1], ['file'], false],
    [3, [1], ['file'], false],
    [4, [1], ['file'], false],
    // Renamed over the archive: nothing is undone, the note lets a rerun cut the copy back off it.
    [5, [1], ['file', 'gz'], true],
    [6, [1], ['file', 'gz'], true],
    [7, [], ['gz'], false],
    [8, [], ['gz'], false],
  ] as const)('beside an earlier archive, at step %i: undoes %j', async (at, undone, places, note) =>
    expect(await failAt('appended', at)).toEqual({ undone, error: 'cause', where: places, note, temp: false }));

  it.each([
    [1, [1], 'cause', ['file']],
    [2, [1], 'cause', ['file']],
    [3, [1], 'cause', ['file']],
    [4, [], 'left behind', ['stash']],
    [5, [5], 'left behind', ['stash']],
    [6, [5], 'left behind', ['stash']],
    [7, [5], 'left behind', ['stash']],
    [8, [5], 'left behind', ['stash']],
    // Renamed (which commits: the temporary is the .gz), but its name not yet durable: the stash stays for --resume.
    [9, [], 'left behind', ['gz', 'stash']],
    [10, [], 'cause', ['gz', 'stash']],
  ] as const)('through a stash, at step %i: undoes %j', async (at, undone, error, places) =>
    expect(await failAt('stash', at)).toEqual({ undone, error, where: places, note: false, temp: false }));

  it.each([
    [1, [1], 'cause', ['file']],
    [2, [1], 'cause', ['file']],
    [3, [1], 'cause', ['file']],
    [4, [], 'left behind', ['stash']],
    [5, [], 'left behind', ['stash']],
    [6, [], 'cause', ['gz', 'stash']],
  ] as const)('through a stash onto an earlier archive, at step %i: undoes %j', async (at, undone, error, places) =>
    expect(await failAt('stash appended', at)).toEqual({ undone, error, where: places, note: false, temp: false }));

  // A step that acted and then failed (the truncation too: once FILE is cut no undo touches the copy).
  it.each([
    ['beside', 'file file file file file file gz gz gz'],
    ['appended', 'file file file file+gz file+gz gz gz gz'],
    ['stash', 'file file stash stash stash stash stash gz+stash gz+stash gz'],
    ['stash appended', 'file file stash stash gz+stash gz'],
  ] as const)('%s, a failure right after each step acted: every byte is somewhere, in %s', async (kind, expected) => {
    const found: string[] = [];
    for (let at = 1; at <= expected.split(' ').length; at++) {
      const r = await failAt(kind, at, 'after');
      found.push(r.temp ? 'temp left' : r.where.join('+'));
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(path.join(dir, 'notes'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'stash'));
    }
    expect(found.join(' ')).toBe(expected);
  });

  it("beside, the folder's fsync fails: the .gz stays whole under its name with its note, FILE untouched, for a rerun", async () => {
    folderSync.fails = true;
    try {
      expect(await failAt('beside', -1)).toEqual({ undone: [4, 1], error: 'not durable', where: ['file', 'gz'], note: true, temp: false });
    } finally {
      folderSync.fails = false;
    }
  });
});

describe('a run to the end', () => {
  it.each(['beside', 'appended', 'stash', 'stash appended'] as const)('%s: FILE is empty, the .gz holds every byte, nothing else is left', async (kind) =>
    expect(await failAt(kind, -1)).toEqual({ undone: [], error: 'none', where: ['gz'], note: false, temp: false }));

  it('catches up with what the writer appended after the first read, as a further member', async () => {
    const j = await job('beside');
    fs.appendFileSync(j.file, 'written meanwhile\n');
    await execute({ steps: j.steps, ctx: j.ctx, log: logger(), into: {}, done: [{ name: j.steps[0].name, ms: 0 }] });
    j.close();
    expect([gunzip(j.outputPath)?.equals(Buffer.concat([ORIGINAL, Buffer.from('written meanwhile\n')])), fs.statSync(j.file).size, j.ctx.progress?.rounds]).toEqual([true, 0, 1]);
  });
});
