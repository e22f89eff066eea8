// refusal(): each reason to leave an operand alone, from fabricated facts, one line per case, and which reason wins.
import { describe, expect, it } from 'vitest';
import { CmemError, CmemWarning } from '../src/errors.js';
import { DEFAULT_OPTIONS, type Options } from '../src/plan/options.js';
import { outputNameRefusal, refusal, type RefusalInput } from '../src/plan/refusals.js';
import type { FileFacts } from '../src/probe/file.js';
import type { Holder, HolderScan } from '../src/probe/holder.js';

const file: FileFacts = {
  path: '/var/log/app.log', dir: '/var/log', base: 'app.log', kind: 'file', dev: 1, ino: 12, birth: '0', size: 1000, allocated: 4096, nlink: 1,
  uid: 0, gid: 0, mode: 0o100644, atimeMs: 0, mtimeMs: 0, mtimeNs: 0n, ctimeNs: 0n,
};
const nginx: Holder = { pid: 4242, command: 'nginx', fd: 7, writes: true, appends: true };
const scan = (...holders: Holder[]): HolderScan => ({ checked: true, hidden: 0, holders });

interface Case {
  name: string;
  file?: Partial<FileFacts>;
  input?: Partial<RefusalInput>;
  opts?: Partial<Options>;
  /** The code expected, or undefined when the operand may proceed. */
  code?: string;
  warning?: boolean;
  message?: RegExp;
}

const cases: Case[] = [
  { name: 'a plain readable file proceeds' },
  { name: 'missing', file: { kind: 'missing' }, code: 'ENOENT', message: /app\.log: no such file or directory/ },
  { name: 'symlink', file: { kind: 'symlink' }, code: 'SYMLINK', message: /symbolic link; not followed/ },
  // gzip 1.12's words and its exit 2 (a warning): "is a directory -- ignored", "is not a directory or a regular file - ignored".
  { name: 'directory', file: { kind: 'directory' }, code: 'NOT_REGULAR', warning: true, message: /is a directory -- ignored/ },
  { name: 'FIFO', file: { kind: 'fifo' }, code: 'NOT_REGULAR', warning: true, message: /is not a directory or a regular file \(a FIFO\) - ignored/ },
  { name: 'socket', file: { kind: 'socket' }, code: 'NOT_REGULAR', warning: true, message: /\(a socket\) - ignored/ },
  { name: 'device', file: { kind: 'device' }, code: 'NOT_REGULAR', warning: true, message: /\(a device\) - ignored/ },
  { name: 'already .gz', file: { base: 'app.log.gz', path: '/var/log/app.log.gz' }, code: 'HAS_SUFFIX', warning: true, message: /already has \.gz suffix -- unchanged/ },
  { name: 'already .z with -S .z', file: { base: 'app.z' }, opts: { suffix: '.z' }, code: 'HAS_SUFFIX', warning: true },
  { name: '.gz is fine with -S .z', file: { base: 'app.gz' }, opts: { suffix: '.z' } },
  { name: 'unreadable', input: { readable: false }, code: 'UNREADABLE', message: /permission denied/ },
  { name: '2 hard links', file: { nlink: 2 }, code: 'HARD_LINKS', message: /1 other hard link/ },
  { name: '2 hard links with -f', file: { nlink: 2 }, opts: { force: true } },
  { name: 'held open', input: { holders: scan(nginx) }, code: 'HELD_OPEN', message: /PID 4242 \(nginx\) fd 7/ },
  { name: 'held open even with -f', input: { holders: scan(nginx) }, opts: { force: true }, code: 'HELD_OPEN' },
  { name: 'held open, with -k: FILE is neither removed nor rewritten', input: { holders: scan(nginx) }, opts: { keep: true } },
  { name: 'held open with --copytruncate proceeds', input: { holders: scan(nginx) }, opts: { copytruncate: true } },
  { name: 'holders not checkable at all', input: { holders: { checked: false, hidden: 0, holders: [] } }, code: 'HOLDERS_UNSEEN', message: /neither \/proc nor lsof/ },
  { name: 'processes not inspected (not root)', input: { holders: { checked: true, hidden: 3, holders: [] } }, code: 'HOLDERS_UNSEEN', message: /3 processes could not be inspected.*left as it is/ },
  { name: 'processes invisible (hidepid=2)', input: { holders: { checked: true, hidden: 0, invisible: 'hidepid=2', holders: [] } }, code: 'HOLDERS_UNSEEN', message: /hidden from this user \(hidepid=2\), how many is unknown/ },
  { name: 'processes not inspected, with -k', input: { holders: { checked: true, hidden: 3, holders: [] } }, opts: { keep: true } },
  { name: 'processes not inspected, with --copytruncate', input: { holders: { checked: true, hidden: 3, holders: [] } }, opts: { copytruncate: true } },
  { name: 'processes not inspected, with --assume-unheld', input: { holders: { checked: true, hidden: 3, holders: [] } }, opts: { assumeUnheld: true } },
  { name: 'processes not inspected, --simulate only says so', input: { holders: { checked: true, hidden: 3, holders: [] } }, opts: { simulate: true } },
  { name: 'a holder seen beats the ones not seen', input: { holders: { checked: true, hidden: 3, holders: [nginx] } }, code: 'HELD_OPEN' },
  { name: 'output exists', input: { outputExists: true }, code: 'OUTPUT_EXISTS', warning: true, message: /app\.log\.gz already exists; not overwritten/ },
  { name: 'output exists with -f', input: { outputExists: true }, opts: { force: true } },
  { name: 'a read-only mount', input: { unwritable: { path: '/var/log/app.log', what: 'file', why: 'read-only' } }, code: 'READ_ONLY', message: /app\.log is on a read-only filesystem/ },
  { name: 'chattr +i', input: { unwritable: { path: '/var/log/app.log', what: 'file', why: 'immutable' } }, code: 'NOT_PERMITTED', message: /app\.log is immutable \(chattr \+i\).*not even by root/ },
  { name: 'chattr +a', input: { unwritable: { path: '/var/log/app.log', what: 'file', why: 'append-only' } }, code: 'NOT_PERMITTED', message: /append-only \(chattr \+a\): it can only grow/ },
  { name: 'a folder with chattr +a', input: { unwritable: { path: '/var/log', what: 'folder', why: 'append-only' } }, code: 'NOT_PERMITTED', message: /the folder \/var\/log is append-only \(chattr \+a\): entries can be made in it, but never renamed or removed/ },
  { name: 'a folder with chattr +i', input: { unwritable: { path: '/var/log', what: 'folder', why: 'immutable' } }, code: 'NOT_PERMITTED', message: /the folder \/var\/log is immutable/ },
  { name: 'no write permission', input: { unwritable: { path: '/var/log', what: 'folder', why: 'denied' } }, code: 'UNWRITABLE', message: /permission denied for writing/ },
  // Precedence: what a file is beats how it is used; an error beats a warning.
  { name: 'missing beats everything', file: { kind: 'missing', nlink: 2 }, input: { readable: false, outputExists: true }, code: 'ENOENT' },
  { name: 'a FIFO named .gz is not a file', file: { kind: 'fifo', base: 'p.gz' }, code: 'NOT_REGULAR', warning: true },
  { name: 'unreadable beats hard links', file: { nlink: 3 }, input: { readable: false }, code: 'UNREADABLE' },
  { name: 'hard links beat held open', file: { nlink: 2 }, input: { holders: scan(nginx) }, code: 'HARD_LINKS' },
  { name: 'held open beats output exists', input: { holders: scan(nginx), outputExists: true }, code: 'HELD_OPEN' },
  { name: 'unwritable beats output exists', input: { unwritable: { path: '/var/log', what: 'folder', why: 'read-only' }, outputExists: true }, code: 'READ_ONLY' },
];

describe('refusal', () => {
  it.each(cases)('$name', (c) => {
    const input: RefusalInput = {
      file: { ...file, ...c.file },
      holders: scan(),
      readable: true,
      outputPath: '/var/log/app.log.gz',
      outputExists: false,
      ...c.input,
    };
    const got = refusal(input, { ...DEFAULT_OPTIONS, ...c.opts });
    if (c.code === undefined) return expect(got).toBeUndefined();
    expect(got).toBeInstanceOf(c.warning ? CmemWarning : CmemError);
    expect(got!.code).toBe(c.code);
    if (c.message) expect(got!.message).toMatch(c.message);
  });

  it('an error says what to do next', () => {
    const got = refusal({ file: { ...file, nlink: 2 }, holders: scan(), readable: true, outputPath: '/x.gz', outputExists: false }, DEFAULT_OPTIONS);
    expect((got as CmemError).hint).toMatch(/-f/);
  });

  it('chattr: the hint names the flag and how to lift it, never "run as root"', () => {
    const got = refusal({ file, holders: scan(), readable: true, outputPath: '/x.gz', outputExists: false, unwritable: { path: '/var/log/app.log', what: 'file', why: 'append-only' } }, DEFAULT_OPTIONS);
    expect((got as CmemError).hint).toBe('lsattr -d /var/log/app.log shows the flag; chattr -a /var/log/app.log lifts it, if that is intended');
  });
});

it('an output name over 255 bytes: NAME_TOO_LONG; 255 bytes is fine', () => {
  expect(outputNameRefusal(`/var/log/${'x'.repeat(253)}.gz`)?.message).toMatch(/that name has 256 bytes, more than the 255/);
  expect(outputNameRefusal(`/var/log/${'é'.repeat(127)}.gz`)?.code).toBe('NAME_TOO_LONG');
  expect(outputNameRefusal(`/var/log/${'x'.repeat(252)}.gz`)).toBeUndefined();
});
