// Each strategy's list of steps, and where complete copies of FILE's bytes are during each.
import { expect, it } from 'vitest';
import { describeCopies, gzPlace, repeatedName, type Step } from '../src/plan/steps.js';
import { blockSteps } from '../src/strategies/blocks.js';
import { wholeFileSteps } from '../src/strategies/whole-file.js';
import { streamedSteps } from '../src/strategies/streamed-beside.js';
import { withReserveLoan } from '../src/strategies/reserve-loan.js';
import { truncateSteps } from '../src/strategies/copytruncate.js';
import type { StashCandidate } from '../src/probe/stash.js';

const stash = (ramBacked: boolean) => ({ dir: '/s', fs: { type: ramBacked ? 'tmpfs' : 'ext4', ramBacked } }) as StashCandidate;
const MiB = 2 ** 20;
const sizes = { size: 100 * MiB, compressedSize: 10 * MiB };
/** "name: copy | copy", a copy's places joined by "+". */
const custody = (steps: Step[]) => steps.map((s) => `${s.name}: ${s.copies.map((c) => c.join('+')).join(' | ')}`);

it('beside, read into memory', () =>
  expect(custody(wholeFileSteps({ strategy: 'beside', method: 'overwrite' }, sizes))).toEqual([
    'read and compress: file',
    'write the temporary .gz: file | memory',
    'fsync the temporary: file | memory',
    'verify the .gz against the bytes read: file | gz | memory',
    'rename it to the .gz name: file | gz | memory',
    'fsync the folder: file | gz | memory',
    'remove FILE: gz | memory',
  ]));

it('beside with -k removes nothing', () => expect(wholeFileSteps({ strategy: 'beside', method: 'overwrite' }, { ...sizes, keep: true }).map((s) => s.name)).not.toContain('remove FILE'));

it('beside, streamed', () =>
  expect(custody(streamedSteps(sizes))).toEqual([
    'read, compress and write the temporary .gz, each block checked: file',
    'fsync the temporary: file',
    'rename it to the .gz name: file | gz',
    'fsync the folder: file | gz',
    'remove FILE: gz',
  ]));

it('beside, streamed, in room the reserve lends: FILE whole while it gives back, the .gz while it grows back', () =>
  expect(custody(withReserveLoan(streamedSteps(sizes), 3 * MiB))).toEqual([
    'give back part of the reserve (ftruncate, fsync): file',
    'read, compress and write the temporary .gz, each block checked: file',
    'fsync the temporary: file',
    'rename it to the .gz name: file | gz',
    'fsync the folder: file | gz',
    'remove FILE: gz',
    'grow the reserve back from the space freed (zeros, fsync): gz',
  ]));

it('stash in RAM, then FILE rewritten in place', () =>
  expect(custody(wholeFileSteps({ strategy: 'stash', method: 'overwrite', stash: stash(true) }, sizes))).toEqual([
    'read and compress: file',
    'write the safety copy (fsync, verify, manifest): file | memory',
    'rewrite FILE in place with the .gz: ram-stash | memory',
    'fsync FILE: ram-stash | memory',
    "cut FILE to the .gz's length, fsync: ram-stash | memory",
    'verify the .gz against the bytes read: ram-stash | gz | memory',
    'rename it to the .gz name: ram-stash | gz | memory',
    'fsync the folder: ram-stash | gz | memory',
    'remove the safety copy: gz | memory',
  ]));

it('stash on disk, copy-on-write: FILE is removed before the .gz is written', () =>
  expect(custody(wholeFileSteps({ strategy: 'stash', method: 'unlink', stash: stash(false) }, sizes))).toEqual([
    'read and compress: file',
    'write the safety copy (fsync, verify, manifest): file | memory',
    'remove FILE: stash | memory',
    'write the temporary .gz: stash | memory',
    'fsync the temporary: stash | memory',
    'verify the .gz against the bytes read: stash | gz | memory',
    'rename it to the .gz name: stash | gz | memory',
    'fsync the folder: stash | gz | memory',
    'remove the safety copy: gz | memory',
  ]));

it('in place: memory alone from the rewrite to the durable cut', () =>
  expect(custody(wholeFileSteps({ strategy: 'in-place', method: 'overwrite' }, sizes)).slice(1, 4)).toEqual([
    'rewrite FILE in place with the .gz: memory',
    'fsync FILE: memory',
    "cut FILE to the .gz's length, fsync: memory",
  ]));

const blocks = (firstPart: 'beside' | 'stash' | 'window', ram = false, count = 3) =>
  custody(blockSteps({ blockSize: 4 * MiB, blocks: count, estimatedCompressed: MiB, firstPart, stash: firstPart === 'stash' ? stash(ram) : undefined }, count * 4 * MiB));

it('block mode, journal beside: each block in FILE or in a durable part', () =>
  expect(blocks('beside')).toEqual([
    'create the journal: file',
    'move FILE to .FILE.cmemgzip-source (a writer appending by name starts a new FILE): file',
    'block 2: read and compress: file',
    'block 2: write its part (fsync, verify, manifest): file',
    'block 2: cut it off FILE, fsync: file+parts',
    'blocks 1 to 0, each: read and compress; write its part (fsync, verify, manifest); cut it off FILE, fsync: file+parts',
    'create the temporary .gz: parts',
    'blocks 0 to 2, each: append its part to the .gz, fsync, check: parts+gz',
    'rename it to the .gz name: gz',
    'fsync the folder: gz',
    'remove the emptied FILE and the journal: gz',
  ]));

it('block mode: the list is as short for a million blocks as for three', () => expect(blocks('beside', false, 2 ** 20)).toHaveLength(11));

it('block mode, one block: no repeated step below the tail', () =>
  expect(blocks('beside', false, 1).slice(0, 6)).toEqual([
    'create the journal: file',
    'move FILE to .FILE.cmemgzip-source (a writer appending by name starts a new FILE): file',
    'block 0: read and compress: file',
    'block 0: write its part (fsync, verify, manifest): file',
    'block 0: cut it off FILE, fsync: file+parts',
    'create the temporary .gz: parts',
  ]));

it('block mode, one-block window: the tail in memory from its cut until its part is durable', () =>
  expect(blocks('window').slice(0, 6)).toEqual([
    'block 2: read and compress: file',
    'block 2: cut it off FILE, fsync: file+memory',
    'create the journal: file+memory',
    'block 2: write its part (fsync, verify, manifest): file+memory',
    'move FILE to .FILE.cmemgzip-source (a writer appending by name starts a new FILE): file+parts',
    'blocks 1 to 0, each: read and compress; write its part (fsync, verify, manifest); cut it off FILE, fsync: file+parts',
  ]));

it('block mode, journal in a RAM stash: the parts count as there until the .gz is whole (only the run sees when they move)', () =>
  expect(blocks('stash', true).slice(4, 8)).toEqual([
    'block 2: cut it off FILE, fsync: file+ram-stash',
    'blocks 1 to 0, each: read and compress; write its part (fsync, verify, manifest); cut it off FILE, fsync: file+ram-stash',
    'create the temporary .gz: ram-stash',
    'blocks 0 to 2, each: append its part to the .gz, fsync, check: ram-stash+gz',
  ]));

it.each([
  [{ from: 3, to: 1, each: ['read', 'cut'] }, 0, 'block 3: read and compress'],
  [{ from: 3, to: 1, each: ['read', 'cut'] }, 3, 'block 2: cut it off FILE, fsync'],
  [{ from: 0, to: 2, each: ['append'] }, 2, 'block 2: append its part to the .gz, fsync, check'],
] as const)('a repeated step %j names its step %i "%s"', (r, k, name) => expect(repeatedName(r, k)).toBe(name));

it('-o onto RAM from a disk: the .gz counts as in RAM', () =>
  expect(custody(streamedSteps({ ...sizes, gz: gzPlace({ ramBacked: false }, { ramBacked: true }) })).at(-1)).toBe('remove FILE: ram-gz'));

it('a FILE on tmpfs: its .gz on tmpfs is no worse than FILE was', () => expect(gzPlace({ ramBacked: true }, { ramBacked: true })).toBe('gz'));

it('--copytruncate through a stash on disk: the copy holds FILE from the truncation until the .gz is durable', () =>
  expect(custody(truncateSteps({ kind: 'stash', stash: stash(false), reason: '' }, sizes))).toEqual([
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
  ]));

it('--copytruncate beside: FILE is emptied only once the .gz is durable', () =>
  expect(custody(truncateSteps({ kind: 'beside', reason: '' }, sizes)).slice(-4)).toEqual([
    'catch up with bytes appended meanwhile: file | gz',
    'truncate FILE to 0 bytes: gz',
    'fsync FILE: gz',
    'verify the .gz against the bytes read: gz',
  ]));

it.each([
  [[['file']], 'FILE'],
  [[['ram-stash'], ['memory']], "the safety copy in RAM; this process's memory"],
  [[['file', 'parts']], "FILE's head with the parts beside FILE"],
  [[], 'nowhere'],
] as const)('describeCopies(%j) is "%s"', (copies, words) => expect(describeCopies(copies)).toBe(words));
