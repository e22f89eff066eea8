import { expect, it } from 'vitest';
import { levelOf, usageOf } from '../src/plan/scan-levels.js';

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
