// The fault-injection sweep of issue 11 (scripts/faults) at a small spread: one EIO, ENOSPC and SIGKILL at
// the middle call of each kind, per strategy; no LOST anywhere and no STRANDED outside the consented
// windows, but for the cases listed below as failing today. The judge is checked first: it must see a loss.
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

/**
 * What fails today at this spread, per strategy, as "call:fault:verdict" (the sweep's middle index of
 * each call; `npm run faults -- --only STRATEGY --spread 1` shows the case and how to reproduce it).
 * Each fix empties its line. A listed case that passes is printed, not failed: where the tool pipelines
 * reads and writes the order of its calls varies a little from run to run, so the Nth close is not always
 * the same close. Anything not listed that is LOST, or STRANDED outside a consented window, fails.
 */
const FAILING_TODAY: Record<string, string[]> = {
  // FILE's unlink (or, as the order of calls varies, the close or fsync before it) fails or is killed after the
  // rename: FILE whole beside a whole FILE.gz, and every rerun says "already exists".
  beside: ['unlink:EIO:STRANDED', 'unlink:ENOSPC:STRANDED', 'unlink:SIGKILL:STRANDED', 'close:EIO:STRANDED', 'close:ENOSPC:STRANDED', 'close:SIGKILL:STRANDED', 'fsync:EIO:STRANDED', 'fsync:SIGKILL:STRANDED'],
  // Killed after the stash copy, at or before the truncation: FILE whole, the stash stays, every rerun fails with
  // ENOSPC (issue 11, item 5). EIO or ENOSPC on the fsync after the truncation: FILE is 0 bytes and the stash copy
  // is removed (item 1), at the next fsync when the calls come in another order.
  copytruncate: ['fsync:SIGKILL:STRANDED', 'ftruncate:SIGKILL:STRANDED', 'close:SIGKILL:STRANDED', 'fsync:EIO:LOST', 'fsync:ENOSPC:LOST'],
  // Beside: a fault on the fsync or close before the truncation leaves FILE whole and FILE.gz whole, and reruns
  // refuse ("already exists"); EIO or ENOSPC on the fsync after it empties FILE and removes the .gz (item 1).
  'copytruncate-beside': [
    'fsync:EIO:STRANDED', 'fsync:ENOSPC:STRANDED', 'fsync:SIGKILL:STRANDED', 'ftruncate:SIGKILL:STRANDED',
    'close:EIO:STRANDED', 'close:ENOSPC:STRANDED', 'close:SIGKILL:STRANDED', 'fsync:EIO:LOST', 'fsync:ENOSPC:LOST',
  ],
  // FILE.gz's unlink (or the fsync or close before it) fails or is killed once FILE is written: both whole, and
  // every rerun refuses because FILE exists.
  decompress: [
    'unlink:EIO:STRANDED', 'unlink:ENOSPC:STRANDED', 'unlink:SIGKILL:STRANDED', 'close:EIO:STRANDED', 'close:ENOSPC:STRANDED',
    'close:SIGKILL:STRANDED', 'fsync:EIO:STRANDED', 'fsync:ENOSPC:STRANDED', 'fsync:SIGKILL:STRANDED',
  ],
};

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
    '%s: one EIO, ENOSPC and SIGKILL at the middle call of each kind: nothing lost, nothing stranded but the known cases',
    async (name) => {
      const { calibrations, results } = await runSweep({ scenarios: [name], spread: 1 });
      const cal = calibrations[name];
      // A filter that matched nothing would make every case a clean run: the file calls must be there.
      expect(Object.keys(cal.counts)).toEqual(expect.arrayContaining(['fsync', 'close']));
      expect(results.length).toBeGreaterThanOrEqual(3 * Object.keys(cal.counts).length);
      const known = FAILING_TODAY[name] ?? [];
      const bad = results.filter((r) => r.verdict !== 'OK' && !r.consented);
      const keyOf = (r: (typeof results)[number]) => `${r.call}:${r.fault}:${r.verdict}`;
      const passing = known.filter((k) => !bad.some((r) => keyOf(r) === k));
      if (passing.length > 0) console.warn(`${name}: listed as failing today but passed this time (fixed? take it out of FAILING_TODAY): ${passing.join(', ')}`);
      const unexpected = bad.filter((r) => !known.includes(keyOf(r)));
      const details = unexpected.map((r) => `${r.verdict} ${r.id} (${r.how}): npm run faults -- --case ${r.id} --keep`).join('\n');
      expect(unexpected.map(keyOf), details).toEqual([]);
    },
    900_000,
  );
});
