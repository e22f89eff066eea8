// The numbers operators read: bytes, percentages, durations, speeds.
import { expect, it } from 'vitest';
import { bytes, duration, grouped, percent, shortBytes, speed } from '../src/text/format.js';

it.each([
  [0, '0 B (0 bytes)'],
  [1, '1 B (1 bytes)'],
  [1536, '1.5 KiB (1,536 bytes)'],
  [20 * 2 ** 20, '20 MiB (20,971,520 bytes)'],
  [5 * 2 ** 30 + 1, '5 GiB (5,368,709,121 bytes)'],
])('bytes(%d) = %j', (n, text) => expect(bytes(n)).toBe(text));

it.each([
  [0, '0'],
  [999, '999'],
  [1000, '1,000'],
  [123456, '123,456'],
  [1234567, '1,234,567'],
  [2 ** 53, '9,007,199,254,740,992'],
  [1536.4, '1,536'],
])('grouped(%d) = %j', (n, text) => expect(grouped(n)).toBe(text));

it.each([
  [0, '0 B'],
  [1536, '1.5 KiB'],
  [3 * 2 ** 40, '3 TiB'],
])('shortBytes(%d) = %j', (n, text) => expect(shortBytes(n)).toBe(text));

it.each([
  [1, 3, '33.3%'],
  [2, 3, '66.7%'],
  [5, 5, '100.0%'],
  [0, 5, '0.0%'],
  [7, 0, '0.0%'],
  [150, 100, '150.0%'],
])('percent(%d, %d) = %j', (part, whole, text) => expect(percent(part, whole)).toBe(text));

it.each([
  [0, '0 ms'],
  [12.4, '12 ms'],
  [999, '999 ms'],
  [1000, '1.00 s'],
  [12_345, '12.35 s'],
  [60_000, '1 min 0 s'],
  [61_499, '1 min 1 s'],
  [3_599_000, '59 min 59 s'],
  [7_200_000, '120 min 0 s'],
])('duration(%d) = %j', (ms, text) => expect(duration(ms)).toBe(text));

it.each([
  [2 ** 20, 1000, '1 MiB/s'],
  [2 ** 20, 500, '2 MiB/s'],
  [3 * 2 ** 30, 2000, '1.5 GiB/s'],
  [100, 0, '-'],
  [100, -1, '-'],
])('speed(%d bytes, %d ms) = %j', (n, ms, text) => expect(speed(n, ms)).toBe(text));
