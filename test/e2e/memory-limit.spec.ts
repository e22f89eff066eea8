// End to end inside a real memory cgroup (v1 or v2, whichever this machine has): a file that does not fit
// in the limit is compressed in block mode within it, the plan says which limit applied, gzip checks the bytes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, gunzipHash, jsonLines, memoryCgroup, mountFs, mountSkipReason, run, warnSkip, writeLog, type MemoryCgroup, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const LIMIT = 192 * MiB;
const group = mountSkipReason() ? mountSkipReason()! : memoryCgroup(LIMIT);

describe.skipIf(warnSkip(typeof group === 'string' ? `${group}: the memory cgroup tests are SKIPPED` : undefined))('inside a memory cgroup', () => {
  const cg = group as MemoryCgroup;
  let m: Mounted;
  let stash: Mounted;
  beforeAll(() => {
    m = mountFs('ext4', 160);
    stash = mountFs('tmpfs', 32);
    if (cg.version === 2) warnSkip('cgroup v2 here: the cgroup v1 memory.limit_in_bytes path is tested only on fake files (memory.spec.ts)');
    else warnSkip('cgroup v1 here: the cgroup v2 memory.max path is tested only on fake files (memory.spec.ts)');
  });
  afterAll(() => {
    m?.unmount();
    stash?.unmount();
    cg.remove();
  });

  it(`a 112 MiB file, a full disk and a ${LIMIT / MiB} MiB limit: block mode, within the limit, says the cgroup set it`, () => {
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 112 * MiB);
    fill(m.dir);

    const r = run(['--json', '--stash', stash.dir, log], { prefix: cg.prefix, timeout: 120_000 });

    expect(r.code, r.stderr).toBe(0);
    const [report] = jsonLines(r.stdout) as Record<string, any>[];
    expect(report).toMatchObject({ status: 'compressed', strategy: 'blocks' });
    expect(report.memory.limitedBy).toMatch(new RegExp(`^cgroup v${cg.version} memory\\.(limit_in_bytes|max) of ${cg.dir} `));
    expect(report.memory.availableBytes).toBeLessThan(LIMIT);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
    expect(fs.existsSync(log)).toBe(false);
    // The kernel's own account: the run never came near the limit (v1 keeps the peak, v2 since 5.19).
    const peak = ['memory.max_usage_in_bytes', 'memory.peak'].map((f) => path.join(cg.dir, f)).find((f) => fs.existsSync(f));
    if (peak) expect(Number(fs.readFileSync(peak, 'utf8'))).toBeLessThanOrEqual(LIMIT);
  });

  it('--simulate names the limit in its plan', () => {
    const log = path.join(m.dir, 'small.log');
    writeLog(log, 4 * MiB);
    const r = run(['-s', log], { prefix: cg.prefix });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(new RegExp(`available \\(limited by cgroup v${cg.version} memory\\.(limit_in_bytes|max) of ${cg.dir} \\(192 MiB`));
  });
});
