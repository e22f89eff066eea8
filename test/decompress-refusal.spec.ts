import { expect, it } from 'vitest';
import type { FileFacts } from '../src/probe/file.js';
import { decompressRefusal } from '../src/run/decompress-refusal.js';

const facts = (over: Partial<FileFacts>): FileFacts =>
  ({ path: '/d/a.gz', dir: '/d', base: 'a.gz', kind: 'file', dev: 1, ino: 2, size: 10, allocated: 10, nlink: 1, uid: 0, gid: 0, mode: 0o100644, atimeMs: 0, mtimeMs: 0, mtimeNs: 0n, ctimeNs: 0n, ...over }) as FileFacts;
const opts = { suffix: '.gz', force: false, keep: false };
const code = (f: FileFacts, o = opts) => decompressRefusal(f, o)?.code;

it('lets a regular .gz through', () => expect(code(facts({}))).toBeUndefined());
it('refuses a missing file (ENOENT)', () => expect(code(facts({ kind: 'missing' }))).toBe('ENOENT'));
it('refuses a symlink', () => expect(code(facts({ kind: 'symlink' }))).toBe('SYMLINK'));
it('refuses a directory', () => expect(code(facts({ kind: 'directory' }))).toBe('NOT_REGULAR'));
it('skips a name without a gzip suffix (warning)', () => expect(code(facts({ base: 'a.log', path: '/d/a.log' }))).toBe('UNKNOWN_SUFFIX'));
it('accepts -S suffix', () => expect(code(facts({ base: 'a.zz' }), { ...opts, suffix: '.zz' })).toBeUndefined());
it('refuses a .gz with other hard links (removing it frees nothing)', () => expect(code(facts({ nlink: 2 }))).toBe('HARD_LINKS'));
it('allows other hard links with -k', () => expect(code(facts({ nlink: 2 }), { ...opts, keep: true })).toBeUndefined());
it('allows other hard links with -f', () => expect(code(facts({ nlink: 2 }), { ...opts, force: true })).toBeUndefined());
