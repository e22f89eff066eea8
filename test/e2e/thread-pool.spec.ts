// The thread pool is sized to the cores: more threads only take turns on them (measured 5-7% slower).
// Counted from the outside: the threads of the running CLI that spent real CPU time, besides the main one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { sleep, start, watch, writeLog } from './helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-pool-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CORES = os.availableParallelism();
/** A compressing pool thread spends hundreds of ms here; V8's helper threads a few. In clock ticks (10 ms). */
const BUSY_TICKS = 5;

/** CPU ticks (user + system) of each thread of pid other than the main one, read from /proc. */
function threadTicks(pid: number, into: Map<string, number>): void {
  try {
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      if (tid === String(pid)) continue;
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      into.set(tid, Number(fields[11]) + Number(fields[12]));
    }
  } catch {
    /* the process or a thread ended between the listing and the read */
  }
}

/** Compresses a 48 MiB log with the CLI and returns how many of its threads besides the main one were busy. */
async function busyThreads(env: NodeJS.ProcessEnv): Promise<number> {
  const file = path.join(dir, `app-${Math.random()}.log`);
  writeLog(file, 48 * 2 ** 20);
  const w = watch(start(['-k', file], { env }));
  const ticks = new Map<string, number>();
  while (!w.done()) {
    threadTicks(w.child.pid!, ticks);
    await sleep(20);
  }
  const { code } = await w.exited;
  expect(code, w.output()).toBe(0);
  return [...ticks.values()].filter((t) => t >= BUSY_TICKS).length;
}

it.skipIf(!fs.existsSync('/proc/self/task'))(`compresses on one pool thread per core (${CORES} here), not libuv's default 4`, async () => {
  const busy = await busyThreads({ UV_THREADPOOL_SIZE: undefined });
  expect(busy).toBeGreaterThanOrEqual(Math.min(2, CORES));
  expect(busy).toBeLessThanOrEqual(CORES);
});

it.skipIf(!fs.existsSync('/proc/self/task'))('keeps a UV_THREADPOOL_SIZE the user set', async () => {
  expect(await busyThreads({ UV_THREADPOOL_SIZE: '1' })).toBe(1);
});
