// parseSize: the sizes an operator types for -m.
import { expect, it } from 'vitest';
import { parseSize } from '../src/cli/sizes.js';

it.each([
  ['0', 0],
  ['1048576', 1048576],
  ['64k', 64 * 1024],
  ['64K', 64 * 1024],
  ['100M', 100 * 2 ** 20],
  ['100MB', 100 * 2 ** 20],
  ['100MiB', 100 * 2 ** 20],
  ['4G', 4 * 2 ** 30],
  ['1.5G', 1.5 * 2 ** 30],
  ['2T', 2 * 2 ** 40],
  ['512B', 512],
  [' 8 M ', 8 * 2 ** 20],
  ['1.5', 1],
])('parseSize(%j) = %d', (text, bytes) => expect(parseSize(text)).toBe(bytes));

it.each(['', 'M', 'abc', '-1', '1e3', '10X', '1,5G', '10 MM', '99999999T'])('parseSize(%j) is not a size', (text) =>
  expect(parseSize(text)).toBeUndefined(),
);
