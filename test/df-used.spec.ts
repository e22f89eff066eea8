import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { expect, it } from 'vitest';
import { dfUsedPercent } from '../src/plan/df-used.js';

it.each([
  [{ blocks: 100, bfree: 100, bavail: 100 }, 0],
  [{ blocks: 100, bfree: 50, bavail: 50 }, 50],
  [{ blocks: 1000, bfree: 99, bavail: 99 }, 91], // 90.1% reads as 91%, as df rounds up
  [{ blocks: 100, bfree: 10, bavail: 5 }, 95], // the root reserve counts neither way: 90 / 95
  [{ blocks: 100, bfree: 5, bavail: 0 }, 100],
  [{ blocks: 0, bfree: 0, bavail: 0 }, 0], // /proc and the like: nothing to be full of
])('dfUsedPercent(%o) = %d', (s, pct) => expect(dfUsedPercent(s)).toBe(pct));

it("agrees with df's Use% on this machine's / and /dev/shm", () => {
  for (const dir of ['/', '/dev/shm'].filter((d) => fs.existsSync(d))) {
    const [, line] = execFileSync('df', ['--output=pcent', dir], { encoding: 'utf8' }).trim().split('\n');
    expect(dfUsedPercent(fs.statfsSync(dir)), dir).toBe(Number(line.trim().replace('%', '')));
  }
});
