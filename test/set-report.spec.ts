// The plan's lines, the summary line and the summary JSON of --until / --free, from a fabricated plan.
import { expect, it } from 'vitest';
import type { SetPlan } from '../src/plan/set-plan.js';
import type { FsFacts } from '../src/probe/filesystem.js';
import { plannedJson, planLines, summaryJson, summaryLine, targetText, type SetOutcome } from '../src/report/set-report.js';

const MiB = 2 ** 20;
const fs: FsFacts = {
  type: 'ext4', mountPoint: '/var', dev: 1, blockSize: 4096, totalBytes: 100 * MiB, freeBytes: 0,
  totalInodes: 1000, freeInodes: 100, copyOnWrite: false, ramBacked: false,
};
const step = (name: string, over = {}) => ({ path: `/var/log/${name}`, size: 40 * MiB, estimated: 4 * MiB, strategy: 'beside' as const, risky: false, freeBefore: 0, freeAfter: 36 * MiB, ...over });
const plan: SetPlan = {
  wanted: 20 * MiB, before: 0, expectedFree: 68 * MiB, expectedUsedFraction: 0.32, met: true,
  steps: [step('a.log', { strategy: 'stash', stash: '/dev/shm', risky: true }), step('b.log', { freeBefore: 36 * MiB, freeAfter: 68 * MiB })],
};
const outcome = (over: Partial<SetOutcome> = {}): SetOutcome => ({
  fs, target: { kind: 'until', usedFraction: 0.8 }, wanted: 20 * MiB, before: 0, after: 68 * MiB, files: ['/var/log/a.log', '/var/log/b.log'],
  failed: [], passed: [{ path: '/var/log/app.log', reason: 'the active log' }], met: true, simulated: false, ...over,
});

it.each([
  [{ kind: 'until', usedFraction: 0.8 } as const, 20 * MiB, 'at most 80% used (20 MiB free)'],
  [{ kind: 'until', usedFraction: 0.725 } as const, 27.5 * MiB, 'at most 72.5% used (27.5 MiB free)'],
  [{ kind: 'free', bytes: 2 * 2 ** 30 } as const, 2 * 2 ** 30, 'at least 2 GiB free'],
])('targetText(%j)', (target, wanted, text) => expect(targetText(target, wanted)).toBe(text));

it('the plan: the filesystem and target, each step with its strategy and the free space after it, the end, what was passed over', () => {
  expect(planLines(fs, { kind: 'until', usedFraction: 0.8 }, plan, [{ path: '/var/log/app.log', reason: 'the active log' }])).toEqual([
    '/var (ext4): 100% used, 0 B (0 bytes) free of 100 MiB; target: at most 80% used (20 MiB free)',
    'plan: 2 file(s), largest saving first, 1 risky step(s):',
    '  1. /var/log/a.log: 40 MiB -> about 4 MiB, stash (copy in /dev/shm), the one risky step; free after: about 36 MiB',
    '  2. /var/log/b.log: 40 MiB -> about 4 MiB, beside; free after: about 68 MiB',
    'expected at the end: 68 MiB free, 32% used: target met',
    'passed over: /var/log/app.log (the active log)',
  ]);
});

it('a planned step as JSON: the file, status planned, its strategy, risk and free space', () => {
  expect(plannedJson(plan.steps[0])).toEqual({ file: '/var/log/a.log', status: 'planned', size: 40 * MiB, estimated: 4 * MiB, strategy: 'stash', stash: '/dev/shm', risky: true, freeBefore: 0, freeAfter: 36 * MiB });
});

it('a plan short of its target says why', () => {
  expect(planLines(fs, { kind: 'free', bytes: 90 * MiB }, { ...plan, met: false, short: 'no file is left that may be compressed' }, []).at(-1)).toBe(
    'expected at the end: 68 MiB free, 32% used: target NOT met: no file is left that may be compressed',
  );
});

it.each([
  [outcome(), '/var: compressed 2 file(s), free 0 B -> 68 MiB (32% used): target met (at most 80% used (20 MiB free))'],
  [outcome({ simulated: true }), '/var: would compress 2 file(s), free 0 B -> 68 MiB (32% used): target met (at most 80% used (20 MiB free))'],
  [outcome({ met: false, after: 10 * MiB, files: ['/var/log/a.log'], short: '/var/log/b.log failed: held open' }), '/var: compressed 1 file(s), free 0 B -> 10 MiB (90% used): target NOT met (at most 80% used (20 MiB free)): /var/log/b.log failed: held open'],
])('summaryLine %#', (o, line) => expect(summaryLine(o)).toBe(line));

it('the summary object: target with its bytes, before and after as statfs gave them, the files in order', () => {
  expect(summaryJson(outcome())).toEqual({
    summary: 'done', mountPoint: '/var', totalBytes: 100 * MiB,
    target: { kind: 'until', usedFraction: 0.8, freeBytes: 20 * MiB },
    before: { freeBytes: 0, usedFraction: 1 }, after: { freeBytes: 68 * MiB, usedFraction: 0.32 },
    files: ['/var/log/a.log', '/var/log/b.log'], met: true, short: undefined, failed: [], passedOver: [{ path: '/var/log/app.log', reason: 'the active log' }],
  });
});
