import { describe, expect, it } from 'vitest';
import { progressLine, timeLeft } from '../src/report/progress.js';

const MiB = 2 ** 20;

describe('progressLine', () => {
  it('shows step, percentage and bytes at the start', () => expect(progressLine('reading', 0, 256 * MiB, 0)).toBe('reading    0.0%  0 B of 256 MiB'));
  it('adds speed and time left once settled', () => expect(progressLine('compressing', 64 * MiB, 256 * MiB, 1000)).toBe('compressing   25.0%  64 MiB of 256 MiB  64 MiB/s  3 s left'));
  it('holds speed back in the first 250 ms', () => expect(progressLine('reading', 128 * MiB, 256 * MiB, 200)).toBe('reading   50.0%  128 MiB of 256 MiB'));
  it('holds speed back under 2% done', () => expect(progressLine('compressing', 1 * MiB, 256 * MiB, 5000)).toBe('compressing    0.4%  1 MiB of 256 MiB'));
  it('says 0 s left when done', () => expect(progressLine('reading', 256 * MiB, 256 * MiB, 2000)).toBe('reading  100.0%  256 MiB of 256 MiB  128 MiB/s  0 s left'));
  it('cuts to one column short of the width', () => expect(progressLine('compressing', 64 * MiB, 256 * MiB, 1000, 20)).toBe('compressing   25.0%'));
  it('shows an empty file as 0%', () => expect(progressLine('reading', 0, 0, 1000)).toBe('reading    0.0%  0 B of 0 B'));
});

describe('timeLeft', () => {
  it('rounds seconds up', () => expect(timeLeft(1200)).toBe('2 s left'));
  it('switches to minutes at 60 s', () => expect(timeLeft(61_000)).toBe('1 min 1 s left'));
});
