// The fault-injection sweep of issue 11 (scripts/faults) at a small spread: one EIO, ENOSPC and SIGKILL at
// the middle call of each kind, per strategy; no LOST anywhere and no STRANDED outside the consented
// windows. The judge is checked first: it must see a loss.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logContent } from '../../scripts/faults/bench.mjs';
import { assess } from '../../scripts/faults/judge.mjs';
import { openSweepBench, runSweep, SCENARIOS, type SweepBench } from '../../scripts/faults/sweep.mjs';
import { mountSkipReason, warnSkip } from './helpers.js';

const MiB = 2 ** 20;

const skipReason = () =>
  mountSkipReason() ?? (spawnSync('strace', ['-V']).error ? 'NO STRACE: the fault-injection sweep is SKIPPED (apt-get install -y strace)' : undefined);

describe.skipIf(warnSkip(skipReason()))('fault-injection sweep', () => {
  describe('the judge', () => {
    let bench: SweepBench;
    const nonce = 'judgecheck01';
    const original = logContent(nonce);
    const compress = { done: 'compress' as const };
    beforeAll(() => {
      bench = openSweepBench();
    });
    afterAll(() => bench?.close());
    const reset = () => [bench.dir, bench.stash].forEach((d) => fs.readdirSync(d).forEach((n) => fs.rmSync(path.join(d, n), { recursive: true })));

    it('calls done only a whole FILE.gz with FILE gone, and finds every byte of a FILE cut short in a stash copy', async () => {
      reset();
      fs.writeFileSync(`${bench.file}.gz`, zlib.gzipSync(original));
      expect(await assess(bench, compress, original, nonce)).toMatchObject({ done: true, missing: [] });
      fs.writeFileSync(bench.file, original.subarray(0, MiB));
      expect(await assess(bench, compress, original, nonce)).toMatchObject({ done: false, missing: [] });
      fs.rmSync(`${bench.file}.gz`);
      fs.writeFileSync(path.join(bench.stash, 'tail.gz'), zlib.gzipSync(original.subarray(MiB)));
      expect(await assess(bench, compress, original, nonce)).toMatchObject({ done: false, missing: [] });
    });

    it('sees bytes that are nowhere, and finds the original two gzip levels down (a rerun that compressed gz bytes)', async () => {
      reset();
      fs.writeFileSync(bench.file, original.subarray(0, MiB));
      const { missing } = await assess(bench, compress, original, nonce);
      expect(missing).toHaveLength(MiB / 4096);
      expect(missing[0]).toBe(MiB);
      fs.writeFileSync(`${bench.file}.gz`, zlib.gzipSync(Buffer.concat([zlib.gzipSync(original), original.subarray(0, 4096)])));
      fs.rmSync(bench.file);
      expect(await assess(bench, compress, original, nonce)).toMatchObject({ done: false, missing: [] });
    });
  });

  it.each(SCENARIOS.map((s) => s.name))(
    '%s: one EIO, ENOSPC and SIGKILL at the middle call of each kind: nothing lost, nothing stranded outside a consented window',
    async (name) => {
      const { calibrations, results } = await runSweep({ scenarios: [name], spread: 1 });
      const cal = calibrations[name];
      // A filter that matched nothing would make every case a clean run: the file calls must be there.
      expect(Object.keys(cal.counts)).toEqual(expect.arrayContaining(['fsync', 'close']));
      expect(results.length).toBeGreaterThanOrEqual(3 * Object.keys(cal.counts).length);
      const bad = results.filter((r) => r.verdict !== 'OK' && !r.consented);
      const details = bad.map((r) => `${r.verdict} ${r.id} (${r.how}): npm run faults -- --case ${r.id} --keep`).join('\n');
      expect(bad.map((r) => `${r.call}:${r.fault}:${r.verdict}`), details).toEqual([]);
    },
    900_000,
  );
});
