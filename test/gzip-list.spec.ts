import { expect, it } from 'vitest';
import { listFootnote, listHeader, listRow, listTotals, ratio, type ListRow } from '../src/report/gzip-list.js';

// Expected lines are GNU gzip 1.12's own output for the same files (gzip -l and gzip -lv, TZ=UTC).
const row = (r: Partial<ListRow>): ListRow => ({ compressed: 0, uncompressed: 0, headerBytes: 20, method: 'defla', crc: 0, mtime: 0, name: 'x', members: 1, lastTrailerSize: r.uncompressed ?? 0, ...r });
const a = row({ compressed: 215159, uncompressed: 588895, headerBytes: 20, crc: 0xc1100f0d, mtime: 1612325100, name: 'a' });
const b = row({ compressed: 428464, uncompressed: 1288887, headerBytes: 20, crc: 0xe13636cc, mtime: 1795304253, name: 'b' });
const tiny = row({ compressed: 21, uncompressed: 1, headerBytes: 18, name: 'tiny' });
const r = row({ compressed: 100040, uncompressed: 100000, headerBytes: 20, name: 'r' });
const ab = row({ compressed: 643623, uncompressed: 1877782, headerBytes: 20, name: 'ab', members: 2, lastTrailerSize: 1288887 });

it('prints the header as gzip -l does', () => expect(listHeader(false)).toBe('         compressed        uncompressed  ratio uncompressed_name'));
it('prints the header as gzip -lv does', () => expect(listHeader(true)).toBe('method  crc     date  time           compressed        uncompressed  ratio uncompressed_name'));
it('prints a row as gzip -l does', () => expect(listRow(a, false)).toBe('             215159              588895  63.5% a'));
it('prints a row as gzip -lv does (TZ=UTC)', () => {
  process.env.TZ = 'UTC';
  expect(listRow(a, true)).toBe('defla c1100f0d Feb  3 04:05              215159              588895  63.5% a');
});
it('names compress and pack data in the -lv method column, as gzip -lv does', () => {
  expect(listRow(row({ ...a, method: 'compr' }), true)).toMatch(/^compr c1100f0d /);
  expect(listRow(row({ ...a, method: 'pack ' }), true)).toMatch(/^pack  c1100f0d /);
});
it('prints a negative ratio as gzip does', () => expect(listRow(tiny, false)).toBe('                 21                   1 -200.0% tiny'));
it('prints -0.0% for a slightly grown file, as printf does', () => expect(listRow(r, false)).toBe('             100040              100000  -0.0% r'));
it('prints the totals line as gzip -l does', () => expect(listTotals([a, b, tiny, r], false)).toBe('             743684             1977783  62.4% (totals)'));
it('prints the totals line as gzip -lv does', () => expect(listTotals([a, b], true)).toBe('                                         643623             1877782  65.7% (totals)'));
it('rounds as printf does: exact ties to even, the rest by the exact value', () =>
  expect([ratio(1225, 10000), ratio(1275, 10000), ratio(1235, 10000), ratio(-1225, 10000)]).toEqual([' 12.2%', ' 12.8%', ' 12.3%', '-12.2%']));
it('shows 0.0% for empty content', () => expect(ratio(0, 0)).toBe('  0.0%'));
it('adds no footnote where gzip -l agrees', () => expect(listFootnote(a, 'a.gz')).toBeUndefined());
it('adds a footnote for several members, with what gzip -l would show', () =>
  expect(listFootnote(ab, 'ab.gz')).toBe('note: ab.gz has 2 members: sizes and CRC are summed over all of them; gzip -l reads only the last trailer and would show 1288887 uncompressed'));
it('adds a footnote for 4 GiB or more in one member', () => expect(listFootnote(row({ uncompressed: 2 ** 32 + 5, lastTrailerSize: 5 }), 'big.gz')).toMatch(/holds 4 GiB or more.*would show 5 uncompressed/));
