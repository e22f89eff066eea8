import { expect, it } from 'vitest';
import { levelOf, usageOf, usedFraction, usedPercent } from '../src/plan/scan-levels.js';

it.each([
  [0, 'ok'],
  [0.7999, 'ok'],
  [0.8, 'warning'],
  [0.8999, 'warning'],
  [0.9, 'critical'],
  [1, 'critical'],
])('levelOf(%d) = %s', (fraction, level) => expect(levelOf(fraction)).toBe(level));

it.each([
  [{ totalBytes: 100, freeBytes: 50, totalInodes: 100, freeInodes: 50 }, { bytesLevel: 'ok', inodesLevel: 'ok', inodesOnly: false }],
  [{ totalBytes: 100, freeBytes: 15, totalInodes: 100, freeInodes: 50 }, { bytesLevel: 'warning', inodesLevel: 'ok', inodesOnly: false }],
  [{ totalBytes: 100, freeBytes: 0, totalInodes: 100, freeInodes: 50 }, { bytesLevel: 'critical', inodesLevel: 'ok', inodesOnly: false }],
  [{ totalBytes: 100, freeBytes: 50, totalInodes: 100, freeInodes: 0 }, { bytesLevel: 'ok', inodesLevel: 'critical', inodesOnly: true }],
  [{ totalBytes: 100, freeBytes: 15, totalInodes: 100, freeInodes: 5 }, { bytesLevel: 'warning', inodesLevel: 'critical', inodesOnly: true }],
  [{ totalBytes: 100, freeBytes: 5, totalInodes: 100, freeInodes: 5 }, { bytesLevel: 'critical', inodesLevel: 'critical', inodesOnly: false }],
  [{ totalBytes: 100, freeBytes: 50, totalInodes: 0, freeInodes: 0 }, { bytesLevel: 'ok', inodesLevel: 'ok', inodesOnly: false }],
  [{ totalBytes: 0, freeBytes: 0, totalInodes: 0, freeInodes: 0 }, { bytesLevel: 'ok', inodesLevel: 'ok', inodesOnly: false }],
])('usageOf(%j) is %j', (fs, expected) => expect(usageOf(fs)).toMatchObject(expected));

// df's Use%: used / (used + available), rounded up; root's reserve is in neither.
it.each([
  // The root filesystem of the machine this was written on: statfs blocks 66053021, bfree 60224133, bavail 20768840 (df: 22%).
  [{ totalBytes: 66053021 * 4096, reservedBytes: (60224133 - 20768840) * 4096 }, 20768840 * 4096, '22%'],
  [{ totalBytes: 100, reservedBytes: 5 }, 28.5, '70%'],
  [{ totalBytes: 100, reservedBytes: 0 }, 30, '70%'],
  [{ totalBytes: 100, reservedBytes: 0 }, 29.9, '71%'],
  [{ totalBytes: 100 }, 100, '0%'],
  [{ totalBytes: 100, reservedBytes: 5 }, 0, '100%'],
])('usedPercent(%j, free %d) = %s', (fs, free, shown) => expect(usedPercent(fs, free)).toBe(shown));

it('usedFraction counts the reserve as neither used nor available', () => expect(usedFraction({ totalBytes: 100, reservedBytes: 20 }, 40)).toBe(0.5));
