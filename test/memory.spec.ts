// availableMemory against the system figures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { availableMemory } from '../src/probe/memory.js';

const read = (file: string) => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
};

/** True when a cgroup v2 memory.max caps this process: its own cgroup's or an ancestor's. */
function cgroupCapped(): boolean {
  for (let p = /^0::(\/.*)$/m.exec(read('/proc/self/cgroup'))?.[1] ?? '/'; ; p = path.posix.dirname(p)) {
    if (/^\d+\s*$/.test(read(path.posix.join('/sys/fs/cgroup', p, 'memory.max')))) return true;
    if (p === '/') return false;
  }
}

it('is a positive whole number of bytes, at most the machine total', () => {
  const n = availableMemory();
  expect(Number.isInteger(n)).toBe(true);
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThanOrEqual(os.totalmem());
});

// libuv's free memory is MemAvailable as well: without a cgroup cap the two agree, in bytes not KiB.
it.skipIf(cgroupCapped())('matches the system figure when no cgroup caps it', () =>
  expect(availableMemory() / os.freemem()).toBeCloseTo(1, 1));
