// withinNameMax: our names beside the operand stay within 255 bytes, the same on every run, distinct for distinct names.
import { expect, it } from 'vitest';
import { NAME_MAX, withinNameMax } from '../src/steps/name-max.js';
import { tempPathFor } from '../src/steps/write-beside.js';
import path from 'node:path';
import { encode } from '../src/fs/raw-names.js';

const bytes = (s: string) => Buffer.byteLength(s);

it('a short name is kept whole', () => expect(withinNameMax('.', 'app.log.gz', '.cmemgzip-tmp')).toBe('.app.log.gz.cmemgzip-tmp'));

it('a name that just fits is kept whole', () => {
  const base = 'a'.repeat(NAME_MAX - 14);
  expect(withinNameMax('.', base, '.cmemgzip-tmp')).toBe(`.${base}.cmemgzip-tmp`);
});

it.each([239, 240, 250, 252, 255])('an output name of %d bytes gives a temporary within NAME_MAX, with our suffix', (n) => {
  const name = withinNameMax('.', 'x'.repeat(n), '.cmemgzip-tmp');
  expect(bytes(name)).toBeLessThanOrEqual(NAME_MAX);
  expect(name.startsWith('.xxx')).toBe(true);
  expect(name.endsWith('.cmemgzip-tmp')).toBe(true);
});

it('is the same on every run, and differs for long names that share their start', () => {
  const a = `${'x'.repeat(250)}a.gz`;
  const b = `${'x'.repeat(250)}b.gz`;
  expect(withinNameMax('.', a, '.t')).toBe(withinNameMax('.', a, '.t'));
  expect(withinNameMax('.', a, '.t')).not.toBe(withinNameMax('.', b, '.t'));
});

it('counts a byte that is not UTF-8 as the one byte it is: kept whole when it fits, cut to exactly NAME_MAX when not', () => {
  expect(withinNameMax('.', '\udce9'.repeat(240), '.cmemgzip-tmp')).toBe(`.${'\udce9'.repeat(240)}.cmemgzip-tmp`);
  const cut = withinNameMax('.', '\udce9'.repeat(250), '.cmemgzip-tmp');
  expect(encode(cut).length).toBe(NAME_MAX);
});

it('long names that differ only in a byte that is not UTF-8 get distinct names', () =>
  expect(withinNameMax('.', `${'x'.repeat(250)}\udce9`, '.t')).not.toBe(withinNameMax('.', `${'x'.repeat(250)}\udce8`, '.t')));

it('cuts between characters, never inside one', () => {
  const name = withinNameMax('.', 'é'.repeat(127), '.cmemgzip-tmp'); // 254 bytes of two-byte characters
  expect(bytes(name)).toBeLessThanOrEqual(NAME_MAX);
  expect(name).not.toContain('\uFFFD');
  expect(Buffer.from(name).toString()).toBe(name);
});

it('tempPathFor keeps the folder and shortens only the name', () => {
  const temp = tempPathFor(`/var/log/${'y'.repeat(252)}.gz`);
  expect(path.dirname(temp)).toBe('/var/log');
  expect(bytes(path.basename(temp))).toBeLessThanOrEqual(NAME_MAX);
});
