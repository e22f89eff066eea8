// file-pool: small files run side by side, many to a core and within a bound on their bytes; a large one
// runs alone after every file before it; the reports come out in the operands' order.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { IN_FLIGHT_BYTES, poolWidth, runPool, SMALL_FILE, type PoolJob } from '../src/run/file-pool.js';
import type { FileReport } from '../src/report/file-report.js';
import { CORES } from '../src/steps/parallel.js';
import { caseFolder, silent } from './strategy-folder.js';

const folder = caseFolder('cmem-pool-');
const MiB = 2 ** 20;

/** Sparse files of these sizes in the case's folder. */
function files(sizes: number[]): PoolJob[] {
  return sizes.map((size, i) => {
    const file = path.join(folder(), `f${String(i).padStart(4, '0')}.log`);
    fs.writeFileSync(file, '');
    fs.truncateSync(file, size);
    return { file };
  });
}

/** Runs the pool with a job that lasts a few ms; what ran at once, at most, and the order of the reports. */
async function pool(jobs: PoolJob[]) {
  let running = 0;
  let bytes = 0;
  const peak = { running: 0, bytes: 0, alone: [] as string[] };
  const order: string[] = [];
  await runPool(
    jobs,
    poolWidth({ yes: true }),
    silent,
    async (file) => {
      const size = fs.statSync(file).size;
      if (running > 0 && size > SMALL_FILE) peak.alone.push(`${path.basename(file)} began beside ${running} others`);
      running++;
      bytes += size;
      peak.running = Math.max(peak.running, running);
      peak.bytes = Math.max(peak.bytes, bytes);
      await new Promise((r) => setTimeout(r, 3));
      if (size > SMALL_FILE && running > 1) peak.alone.push(`${path.basename(file)} ran beside others`);
      running--;
      bytes -= size;
      return { file, status: 'compressed', timings: {} } as FileReport;
    },
    (report) => order.push(path.basename(report.file)),
  );
  return { peak, order };
}

describe('file pool', () => {
  it('runs small files 32 to a core at once', async () => {
    const width = Math.min(32 * CORES, 128);
    expect(poolWidth({ yes: true })).toBe(width);
    expect((await pool(files(Array(width + 16).fill(4096)))).peak.running).toBe(width);
  });
  it('runs at most 128 at once however many cores (each holds a zlib stream)', () => {
    expect(poolWidth({ yes: true }, Infinity, 2)).toBe(64);
    expect(poolWidth({ yes: true }, Infinity, 64)).toBe(128);
  });
  it('runs no more files at once than the limit on open files allows', () => {
    expect(poolWidth({ yes: true }, 100)).toBe(9);
    expect(poolWidth({ yes: true }, 1024)).toBe(Math.min(32 * CORES, 128, 240));
    expect(poolWidth({ yes: true }, 16)).toBe(1);
    expect(poolWidth({ yes: true }, Infinity)).toBe(Math.min(32 * CORES, 128));
  });
  it('keeps the bytes of the files in flight within IN_FLIGHT_BYTES', async () => {
    const { peak } = await pool(files(Array(3 * (IN_FLIGHT_BYTES / MiB)).fill(MiB - 8192)));
    expect(peak.bytes).toBeLessThanOrEqual(IN_FLIGHT_BYTES);
    expect(peak.running).toBeGreaterThan(1);
  });
  it('runs a file larger than SMALL_FILE alone, after every file before it', async () => {
    expect((await pool(files([4096, 4096, SMALL_FILE + 1, 4096, 4096]))).peak.alone).toEqual([]);
  });
  it('reports in the operands order', async () => {
    const sizes = Array.from({ length: 50 }, (_, i) => (i % 7 === 3 ? SMALL_FILE + 1 : 1000 * (50 - i)));
    expect((await pool(files(sizes))).order).toEqual(sizes.map((_, i) => `f${String(i).padStart(4, '0')}.log`));
  });
  it('reports a long run of passed-over entries behind a running file in linear time', async () => {
    // -r over a folder of rotated .gz: each is a ready report, queued behind the file still running.
    const [first] = files([4096]);
    const ready = (i: number): PoolJob => ({ file: `/x/${i}.gz`, ready: { file: `/x/${i}.gz`, status: 'ignored', timings: {} } });
    const jobs = [first, ...Array.from({ length: 100_000 }, (_, i) => ready(i))];
    let reported = 0;
    const started = performance.now();
    await runPool(jobs, 4, silent, async (file) => ({ file, status: 'compressed', timings: {} }) as FileReport, () => reported++);
    expect(reported).toBe(jobs.length);
    expect(performance.now() - started).toBeLessThan(2000);
  });
  it('takes the size the walk saw instead of looking again (-r: an lstat a file)', async () => {
    const jobs = files([10, 20]).map((j, i) => ({ ...j, size: [10, 20][i] }));
    const lstat = vi.spyOn(fs, 'lstatSync');
    try {
      await pool(jobs);
      expect(lstat.mock.calls.filter(([p]) => jobs.some((j) => p === j.file))).toEqual([]);
    } finally {
      lstat.mockRestore();
    }
  });
  it('throws what a job threw', async () => {
    await expect(runPool(files([10, 10, 10]), 4, silent, () => Promise.reject(new Error('bug')), () => {})).rejects.toThrow('bug');
  });
});
