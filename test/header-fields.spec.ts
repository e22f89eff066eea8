// headerFieldsFor and mtimeOutOfRange: what a member header records of the original, and when gzip would warn about its time.
import { expect, it } from 'vitest';
import { headerFieldsFor, mtimeOutOfRange } from '../src/steps/header-fields.js';

const file = { base: 'app.log', mtimeMs: 1_700_000_000_500 };
it('stores the base name and the mtime in seconds by default', () => expect(headerFieldsFor(file, { level: 6 })).toEqual({ name: 'app.log', mtime: 1_700_000_000.5, level: 6 }));
it('stores them with -N too', () => expect(headerFieldsFor(file, { name: true, level: 9 })).toEqual({ name: 'app.log', mtime: 1_700_000_000.5, level: 9 }));
it('stores no name and mtime 0 with -n, like gzip -n', () => expect(headerFieldsFor(file, { name: false, level: 1 })).toEqual({ mtime: 0, level: 1 }));

// gzip's timestamp test: these warn (exit 2), the second list does not.
it.each([
  ['1901', Date.UTC(1901, 0, 1)],
  ['1969-12-31 23:59:59', -1000],
  ['the epoch itself', 0],
  ['half a second after it', 500],
  ['2106-02-07 06:28:16 (2^32)', 2 ** 32 * 1000],
])('finds %s out of gzip\'s MTIME range', (_what, mtimeMs) => expect(mtimeOutOfRange({ mtimeMs }, {})).toBe(true));
it.each([
  ['1 s after the epoch', 1000],
  ['2038-01-19 03:14:07', (2 ** 31 - 1) * 1000],
  ['2038-01-19 03:14:08', 2 ** 31 * 1000],
  ['2106-02-07 06:28:15 (2^32 - 1)', (2 ** 32 - 1) * 1000],
])('finds %s within it', (_what, mtimeMs) => expect(mtimeOutOfRange({ mtimeMs }, {})).toBe(false));
it('never warns with -n, which stores no time', () => expect(mtimeOutOfRange({ mtimeMs: 0 }, { name: false })).toBe(false));
