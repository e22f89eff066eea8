// mapLimit: order, concurrency limit, and failure.
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { CORES, mapLimit } from '../src/steps/parallel.js';

it('keeps results in input order when later items finish first', async () =>
  expect(await mapLimit([30, 1, 20, 5, 0], 3, async (ms, i) => (await sleep(ms), `${i}:${ms}`))).toEqual(['0:30', '1:1', '2:20', '3:5', '4:0']));

it.each([
  [1, 10],
  [3, 10],
  [4, 2],
])('with limit %d over %d items, never runs more at once', async (limit, count) => {
  let running = 0;
  let peak = 0;
  const done = await mapLimit(Array.from({ length: count }, (_, i) => i), limit, async (i) => {
    peak = Math.max(peak, ++running);
    await sleep(2);
    running--;
    return i * 2;
  });
  expect(peak).toBe(Math.min(limit, count));
  expect(done).toEqual(Array.from({ length: count }, (_, i) => i * 2));
});

it('returns [] for no items', async () => expect(await mapLimit([], 4, async () => 1)).toEqual([]));

it('rejects with the first error and starts no new item after it', async () => {
  const started: number[] = [];
  const run = mapLimit([0, 1, 2, 3, 4, 5], 2, async (i) => {
    started.push(i);
    await sleep(5);
    if (i === 1) throw new Error('item 1 failed');
    return i;
  });
  await expect(run).rejects.toThrow('item 1 failed');
  await sleep(30);
  expect(started).toEqual([0, 1, 2]);
});

it('counts at least one core', () => expect(CORES).toBeGreaterThanOrEqual(1));
