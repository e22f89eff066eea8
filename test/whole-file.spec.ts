// The whole-file strategies run by the executor on a real folder, stopped by a failure before and after
// each of their steps: what the undo leaves, and that FILE's bytes are whole somewhere every time.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import type { Plan } from '../src/plan/plan.js';
import { probeFile } from '../src/probe/file.js';
import { fsTypeOf } from '../src/probe/identity.js';
import { execute } from '../src/run/executor.js';
import { readAndCompress } from '../src/steps/compress.js';
import { newStashManifest, stashPaths } from '../src/steps/stash.js';
import type { Action, Listed } from '../src/strategies/action.js';
import { newWholeJob, type WholeJob } from '../src/strategies/whole-job.js';
import { wholeFileSteps } from '../src/strategies/whole-file.js';
import type { Logger } from '../src/report/logger.js';
import { logData } from './e2e/helpers.js';
import { caseFolder, ownStatePlace, silent } from './strategy-folder.js';

const folder = caseFolder('cmem-whole-');
const log = silent;
const original = logData(300_000);

type Variant = Pick<Plan, 'strategy' | 'method'> & { stashed?: boolean };
const VARIANTS: [string, Variant][] = [
  ['beside', { strategy: 'beside', method: 'overwrite' }],
  ['in place, overwriting', { strategy: 'in-place', method: 'overwrite' }],
  ['in place, unlinking first', { strategy: 'in-place', method: 'unlink' }],
  ['stash then rewrite', { strategy: 'stash', method: 'overwrite' }],
  ['stash then unlink first', { strategy: 'stash', method: 'unlink' }],
];

/** The job on a fresh FILE: read and compressed, its plan, its list, and its context. */
async function job(v: Variant) {
  ownStatePlace(folder());
  const file = path.join(folder(), 'app.log');
  fs.writeFileSync(file, original);
  const facts = probeFile(file);
  const fd = fs.openSync(file, 'r');
  const { source, compressed } = await readAndCompress(fd, {}, { level: 6, mtime: 0 }).finally(() => fs.closeSync(fd));
  const stashDir = path.join(folder(), 'stash');
  fs.mkdirSync(stashDir, { mode: 0o700 });
  const stash = { dir: stashDir, fs: { type: 'ext4', ramBacked: false, mountPoint: '/' }, explicit: true } as Plan['stash'];
  const plan = { ...v, outputPath: `${file}.gz`, stash, reason: '', window: v.strategy === 'in-place', spaceNeeded: 0, memoryNeeded: 0, freed: 0 } as Plan;
  const steps = wholeFileSteps(plan, { size: source.size, compressedSize: compressed.size });
  const paths = stashPaths(stashDir, facts);
  const withStash = v.strategy === 'stash' ? { paths, manifest: newStashManifest(facts, { fsType: fsTypeOf(folder()), name: file }, source, compressed.size) } : undefined;
  const ctx = newWholeJob({ facts, level: 6, source, compressed, plan, say: log, stash: withStash });
  return { file, steps, ctx, paths };
}

const gunzips = (f: string) => fs.existsSync(f) && zlib.gunzipSync(fs.readFileSync(f)).equals(original);
const leftovers = () => fs.readdirSync(folder()).filter((n) => !['stash', 'state', 'app.log'].includes(n));

/** Step i made to fail before it acts, or right after. */
function failing(steps: readonly Listed<WholeJob>[], i: number, when: 'before' | 'after'): Listed<WholeJob>[] {
  const s = steps[i] as Action<WholeJob>;
  const boom = () => {
    throw new Error(`injected at ${s.name}`);
  };
  return steps.map((x, k) => (k !== i ? x : { ...s, run: when === 'before' ? boom : async (c: WholeJob) => (await s.run!(c), boom()) }));
}

it.each(VARIANTS)('%s: runs to a .gz that gunzips to FILE, and nothing else is left', async (_what, v) => {
  const { file, steps, ctx } = await job(v);
  await execute({ steps, ctx, log, into: {}, done: [{ name: steps[0].name, ms: 0 }] });
  expect([fs.existsSync(file), gunzips(`${file}.gz`), leftovers()]).toEqual([false, true, ['app.log.gz']]);
});

it.each(VARIANTS.flatMap(([what, v]) => (['before', 'after'] as const).map((when) => [what, when, v] as const)))('%s, a failure %s each step: FILE whole, or the .gz whole under its name', async (_what, when, v) => {
  const count = (await job(v)).steps.length;
  fs.rmSync(folder(), { recursive: true, force: true });
  for (let i = 1; i < count; i++) {
    fs.mkdirSync(folder());
    const { file, steps, ctx, paths } = await job(v);
    const rename = steps.findIndex((s) => s.name.startsWith('rename it'));
    const committed = rename < i || (rename === i && when === 'after');
    const err = await execute({ steps: failing(steps, i, when), ctx, log, into: {}, done: [{ name: steps[0].name, ms: 0 }] }).catch((e: Error) => e);
    const at = `${steps[i].name} (${when})`;
    expect(err, at).toBeInstanceOf(Error);
    if (committed) expect(gunzips(`${file}.gz`), at).toBe(true);
    else {
      // Undone: FILE as it was, and neither a .gz, a temporary, nor a safety copy left.
      expect([fs.readFileSync(file).equals(original), leftovers(), fs.existsSync(paths.data), fs.existsSync(paths.manifest)], at).toEqual([true, [], false, false]);
    }
    fs.rmSync(folder(), { recursive: true, force: true });
  }
  fs.mkdirSync(folder());
});

// A writer that emptied FILE and wrote anew since it was read (copytruncate by another tool, a restart
// that opens with O_TRUNC): every strategy refuses, and FILE keeps what the writer wrote, never the stale original put back over it.
it.each(VARIANTS.filter(([, v]) => v.strategy !== 'beside'))('%s: FILE emptied and written anew since the read is left as the writer left it', async (_what, v) => {
  const { file, steps, ctx, paths } = await job(v);
  const fresh = Buffer.from('a new line the writer wrote after emptying the file\n');
  fs.writeFileSync(file, fresh);
  const err = await execute({ steps, ctx, log, into: {}, done: [{ name: steps[0].name, ms: 0 }] }).catch((e: Error) => e);
  expect(err).toMatchObject({ code: 'CHANGED' });
  expect([fs.readFileSync(file).equals(fresh), leftovers(), fs.existsSync(paths.data)]).toEqual([true, [], false]);
});

// A second name made for FILE since the read (a backup's hard link, say): a rewrite in place would turn the
// other name's bytes into the .gz too, which the plan refuses for a FILE of several links; so is it here (974e3db: its ctime).
it.each(VARIANTS.filter(([, v]) => v.strategy !== 'beside'))('%s: a hard link made since the read is refused, both names keep the original', async (_what, v) => {
  const { file, steps, ctx, paths } = await job(v);
  const other = path.join(folder(), 'backup-of-app.log');
  fs.linkSync(file, other);
  const err = await execute({ steps, ctx, log, into: {}, done: [{ name: steps[0].name, ms: 0 }] }).catch((e: Error) => e);
  expect(err).toMatchObject({ code: 'CHANGED' });
  expect([fs.readFileSync(file).equals(original), fs.readFileSync(other).equals(original), fs.existsSync(`${file}.gz`), fs.existsSync(paths.data)]).toEqual([true, true, false, false]);
});

// FILE's mode changed since the read (an operator closing a log that holds secrets to others): the .gz would
// take the mode read, opening it again; refused instead, as 974e3db did (by the ctime).
it.each(VARIANTS.filter(([, v]) => v.strategy !== 'beside'))('%s: a mode changed since the read is refused, never undone', async (_what, v) => {
  const { file, steps, ctx } = await job(v);
  fs.chmodSync(file, 0o600);
  const err = await execute({ steps, ctx, log, into: {}, done: [{ name: steps[0].name, ms: 0 }] }).catch((e: Error) => e);
  expect(err).toMatchObject({ code: 'CHANGED' });
  expect([fs.statSync(file).mode & 0o777, fs.existsSync(`${file}.gz`)]).toEqual([0o600, false]);
});

// What the operator reads after an undo: where FILE's bytes are once it is undone, not during the step undone.
it.each(VARIANTS.filter(([, v]) => v.strategy !== 'beside'))('%s: a failure undone says FILE holds the bytes again, never that they are nowhere', async (_what, v) => {
  const { file, steps, ctx } = await job(v);
  const lines: string[] = [];
  const said = { ...log, info: (m: string) => lines.push(m) } as unknown as Logger;
  const cut = steps.findIndex((s) => s.name.startsWith('cut FILE') || s.name.startsWith('verify the .gz'));
  await execute({ steps: failing(steps, cut, 'before'), ctx: { ...ctx, say: said }, log: said, into: {}, done: [{ name: steps[0].name, ms: 0 }] }).catch(() => {});
  expect(fs.readFileSync(file).equals(original)).toBe(true);
  expect(lines.find((l) => l.startsWith('stopped at step'))).toMatch(/complete copies of FILE's bytes now: FILE$/);
});
