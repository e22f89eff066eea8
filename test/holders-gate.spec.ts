// holders-gate: files that reach the check together share one pass over /proc, and every answer comes
// from a pass begun after the file asked (the pass is counted here, its reading of /proc faked).
import { describe, expect, it, vi } from 'vitest';

const passes = vi.hoisted(() => ({ count: 0, held: new Set<string>(), ms: 0 }));
vi.mock('../src/probe/holders-index.js', () => ({
  indexHolders: () => {
    passes.count++;
    for (const end = performance.now() + passes.ms; performance.now() < end; );
    const held = new Set(passes.held);
    return { checked: true, hidden: 0, find: (dev: number, ino: number) => (held.has(`${dev}:${ino}`) ? [{ pid: 1, command: 'x', fd: 3, writes: true, appends: true }] : []) };
  },
}));
const { jobEnded, jobStarted, lastCheck, passEvery } = await import('../src/run/holders-gate.js');

const file = (ino: number, size = 100) => ({ dev: 1, ino, path: `/f${ino}`, size });

describe('holders gate', () => {
  it('jobs that all reach the check are answered by one pass', async () => {
    const before = passes.count;
    const jobs = [1, 2, 3, 4].map(async (ino) => {
      jobStarted();
      try {
        return await lastCheck(file(ino));
      } finally {
        jobEnded();
      }
    });
    const scans = await Promise.all(jobs);
    expect(passes.count - before).toBe(1);
    expect(scans.every((s) => s.holders.length === 0)).toBe(true);
  });

  it('a job still running holds the pass back until it arrives too', async () => {
    const before = passes.count;
    jobStarted();
    jobStarted();
    let firstAnswered = false;
    const first = lastCheck(file(5)).then((s) => ((firstAnswered = true), s));
    await new Promise((r) => setTimeout(r, 5));
    expect(firstAnswered).toBe(false);
    const second = lastCheck(file(6));
    await Promise.all([first, second]);
    jobEnded();
    jobEnded();
    expect(passes.count - before).toBe(1);
  });

  it('a holder that opened the file after an earlier pass is seen by the next one', async () => {
    expect((await lastCheck(file(7))).holders).toEqual([]);
    passes.held.add('1:7');
    expect((await lastCheck(file(7))).holders).toHaveLength(1);
  });

  it('files whose bytes fill what the pool set are answered at once, while other jobs still run', async () => {
    passEvery(10_000); // each counts as its worst-case .gz, 4,208 bytes for 100
    await new Promise((r) => setTimeout(r, 25)); // MIN_WAIT_MS since the last pass
    jobStarted(); // a job that is still compressing
    try {
      const before = passes.count;
      const waiting = [1, 2, 3].map((i) => (jobStarted(), lastCheck(file(20 + i))));
      expect(passes.count - before).toBe(1);
      await Promise.all(waiting);
      [1, 2, 3].forEach(() => jobEnded());
    } finally {
      jobEnded();
      passEvery(Infinity);
    }
  });

  it('answers on bytes only once ten times the last pass went by since it (passes stay a tenth of the run)', async () => {
    passEvery(10_000);
    passes.ms = 20;
    jobStarted(); // a job that is still compressing
    try {
      const first = [1, 2, 3].map((i) => (jobStarted(), lastCheck(file(30 + i))));
      const before = passes.count;
      const second = [4, 5, 6].map((i) => (jobStarted(), lastCheck(file(30 + i))));
      expect(passes.count - before).toBe(0);
      await Promise.all(first);
      [1, 2, 3].forEach(() => jobEnded());
      jobEnded();
      await Promise.all(second);
      [4, 5, 6].forEach(() => jobEnded());
    } finally {
      passes.ms = 0;
      passEvery(Infinity);
    }
  });

  it('answers files whose bytes fill what the pool set once ten times the last pass went by, with nothing else happening', async () => {
    passEvery(10_000);
    await lastCheck(file(50)); // a fast pass, then MIN_WAIT_MS
    await new Promise((r) => setTimeout(r, 25));
    jobStarted(); // a job that is still compressing, and stays so
    try {
      passes.ms = 40;
      const first = [1, 2, 3].map((i) => (jobStarted(), lastCheck(file(50 + i)))); // a pass of 40 ms at the third
      passes.ms = 0;
      const asked = performance.now();
      const second = [4, 5, 6].map((i) => (jobStarted(), lastCheck(file(50 + i))));
      await Promise.all([...first, ...second]);
      // Ten times 40 ms after the first pass (400 ms), not fifty times (the timer's 2 s).
      expect(performance.now() - asked).toBeLessThan(1200);
      [1, 2, 3, 4, 5, 6].forEach(() => jobEnded());
    } finally {
      jobEnded();
      passes.ms = 0;
      passEvery(Infinity);
    }
  });

  it('a running job that never arrives does not hold the others forever (the pass waits a bounded time)', async () => {
    jobStarted();
    const scan = await lastCheck(file(8));
    expect(scan.checked).toBe(true);
    jobEnded();
  });
});
