// A run killed at each of its steps: --simulate then shows the steps the rerun takes, changes nothing, and
// the rerun takes exactly those (its report's steps, none strayed from) and finishes the job.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, gunzipHash, jsonLines, killAt, logData, mountFs, mountSkipReason, onlyReport, run, sha256, treeHash, warnSkip, type Mounted, type RunResult } from './helpers.js';

const MiB = 1024 * 1024;
type Step = { name: string };
/** The name a step's first block goes by: what the run announces when it gets there. */
const firstName = (name: string) => name.replace(/^blocks (\d+) to \d+, each: ([^;]+)(;.*)?$/, 'block $1: $2');
/** How a run ended: its exit code and the code of its error or warning. */
const outcome = (r: RunResult) => {
  const report = jsonLines(r.stdout)[0] as { error?: { code: string }; warning?: { code: string } } | undefined;
  return `exit ${r.code}${report?.error ? ` ${report.error.code}` : report?.warning ? ` ${report.warning.code}` : ''}`;
};
/** Read before the plan is made: no seam to stop at. */
const BEFORE_THE_PLAN = 'read and compress';

describe.skipIf(warnSkip(mountSkipReason()))('after a kill at each step, --simulate shows the rerun', () => {
  let file: Mounted;
  let stash: Mounted;
  beforeAll(() => {
    file = mountFs('tmpfs', 16);
    stash = mountFs('ext4', 32);
  });
  afterAll(() => {
    file?.unmount();
    stash?.unmount();
  });

  const strategies = [
    ['beside', () => [], false],
    ['in place', () => ['--no-stash', '--yes'], true],
    ['--copytruncate beside', () => ['--copytruncate'], false],
    ['stash then rewrite', () => ['--stash', stash.dir], true],
    ['block mode, journal beside', () => ['-m', '1M', '--no-stash'], false],
    ['block mode, journal in a stash', () => ['-m', '1M', '--stash', stash.dir], true],
  ] as const;

  it.each(strategies)('%s', async (_name, argsOf, full) => {
    const log = path.join(file.dir, 'app.log');
    const fresh = () => {
      for (const f of fs.readdirSync(file.dir)) fs.rmSync(path.join(file.dir, f), { recursive: true, force: true });
      const data = logData(3 * MiB);
      fs.writeFileSync(log, data);
      if (full) fill(file.dir);
      return data;
    };
    fresh();
    const planned: Step[] = onlyReport(run(['--json', '--simulate', ...argsOf(), log]), 0).steps;
    const wrong: string[] = [];
    for (const step of planned.map((s) => firstName(s.name)).filter((n) => n !== BEFORE_THE_PLAN)) {
      const data = fresh();
      await killAt([...argsOf(), log], step);
      const before = [treeHash(file.dir), treeHash(stash.dir)];
      const sim = run(['--json', '--simulate', ...argsOf(), log]);
      if (treeHash(file.dir) !== before[0] || treeHash(stash.dir) !== before[1]) wrong.push(`killed at "${step}": --simulate changed something`);
      const rerun = run(['--json', ...argsOf(), log]);
      // A kill inside a window the plan printed can leave a job no rerun finishes: --simulate must say so, as the rerun does.
      if (rerun.code !== 0 || sim.code !== 0) {
        if (outcome(sim) !== outcome(rerun)) wrong.push(`killed at "${step}": --simulate said ${outcome(sim)}, the rerun ${outcome(rerun)}`);
        continue;
      }
      const shown: Step[] = onlyReport(sim, 0).steps;
      const taken: Step[] = onlyReport(rerun, 0).steps;
      const said = (l: Step[]) => l.map((s) => s.name).join(' | ');
      if (said(taken) !== said(shown)) wrong.push(`killed at "${step}":\n  shown: ${said(shown)}\n  taken: ${said(taken)}`);
      if (gunzipHash(`${log}.gz`) !== sha256(data)) wrong.push(`killed at "${step}": the .gz is not the original`);
    }
    expect(wrong).toEqual([]);
  });
});
