// Exit codes from outcomes, and unexpected Node errors turned into CmemErrors.
import { expect, it } from 'vitest';
import { CmemError, exitCodeFor, toCmemError, type Outcome } from '../src/errors.js';

it.each<[Outcome[], number]>([
  [[], 0],
  [['ok'], 0],
  [['ok', 'ok'], 0],
  [['ok', 'warning'], 2],
  [['warning', 'ok'], 2],
  [['ok', 'error'], 1],
  [['error', 'warning'], 1],
  [['warning', 'error', 'ok'], 1],
])('exitCodeFor(%j) = %d', (outcomes, code) => expect(exitCodeFor(outcomes)).toBe(code));

const errno = (code: string, message = `${code}: boom`) => Object.assign(new Error(message), { code });

it.each([
  [errno('ENOSPC'), 'NO_SPACE', 'writing x: no space left on device'],
  // libuv has no name for EDQUOT: Node says "Unknown system error -122", code UNKNOWN.
  [Object.assign(errno('UNKNOWN', 'UNKNOWN: unknown error, write'), { errno: -122 }), 'NO_SPACE', `writing x: disk quota exceeded for uid ${process.geteuid!()} (or its btrfs subvolume's qgroup)`],
  [errno('EACCES'), 'UNREADABLE', 'writing x: permission denied'],
  [errno('EPERM'), 'NOT_PERMITTED', 'writing x: operation not permitted'],
  [errno('EROFS'), 'READ_ONLY', 'writing x: read-only filesystem'],
  [errno('EIO', 'EIO: i/o error, read'), 'IO', 'writing x: EIO: i/o error, read'],
  [new Error('plain'), 'IO', 'writing x: plain'],
  ['a string', 'IO', 'writing x: a string'],
  [undefined, 'IO', 'writing x: undefined'],
])('toCmemError(%s) is %s', (err, code, message) => {
  const e = toCmemError(err, 'writing x');
  expect(e).toBeInstanceOf(CmemError);
  expect({ code: e.code, message: e.message }).toEqual({ code, message });
});

it("drops the U+FFFD-mangled name Node puts in its message for a path given as bytes: the caller's names it right", () => {
  const err = Object.assign(new Error("ENOENT: no such file or directory, rename '/x/caf\uFFFD' -> '/x/caf\uFFFD.gz'"), { code: 'ENOENT' });
  expect(toCmemError(err, '/x/caf\udce9').message).toBe('/x/caf\udce9: ENOENT: no such file or directory, rename');
});

it('gives a next step for permission errors', () => expect(toCmemError(errno('EACCES'), 'x').hint).toMatch(/owner|root/));

it('does not tell root to run as root: EPERM points at chattr', () => expect(toCmemError(errno('EPERM'), 'x').hint).toMatch(/lsattr/));

it('passes a CmemError through untouched', () => {
  const e = new CmemError('HELD_OPEN', 'held', 'stop it');
  expect(toCmemError(e, 'ignored')).toBe(e);
});
