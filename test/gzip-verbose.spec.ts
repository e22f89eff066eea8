// gzipVerboseLine: gzip -v's wording, with names as typed below the working folder.
import path from 'node:path';
import { expect, it } from 'vitest';
import { gzipVerboseLine } from '../src/report/gzip-verbose.js';

const here = (name: string) => path.join(process.cwd(), name);

it('says "created" when the input is kept, with names relative to the working folder', () =>
  expect(gzipVerboseLine(here('in'), here('in.gz'), 1000, 250, true)).toBe('in:\t 75.0% -- created in.gz'));
it('says "replaced with" when the input is removed', () =>
  expect(gzipVerboseLine(here('sub/in.gz'), here('sub/in'), 1000, 250, false)).toBe('sub/in.gz:\t 75.0% -- replaced with sub/in'));
it('keeps full paths outside the working folder, and a negative share for data that grew', () =>
  expect(gzipVerboseLine('/elsewhere/x', '/elsewhere/x.gz', 10, 31, true)).toBe('/elsewhere/x:\t-210.0% -- created /elsewhere/x.gz'));
it('says 0.0% for an empty file', () => expect(gzipVerboseLine(here('e'), here('e.gz'), 0, 20, false)).toBe('e:\t  0.0% -- replaced with e.gz'));
