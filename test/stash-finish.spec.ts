// The rerun that finishes a whole-file job from its safety copy, stopped by a failure before and after
// each of its steps: the copy holds every byte until the .gz is whole, and the next rerun finishes.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect, it, vi } from 'vitest';
import { probeFile } from '../src/probe/file.js';
import { fsTypeOf } from '../src/probe/identity.js';
import { execute } from '../src/run/executor.js';
import { stashResume } from '../src/run/preview-unfinished.js';
import { stashFinishJob } from '../src/run/recover.js';
import { chunksOf, readAndCompress } from '../src/steps/compress.js';
import { newStashManifest, setStashPhase, stashPaths, writeStash } from '../src/steps/stash.js';
import { verifyWritten } from '../src/steps/verify.js';
import { tempPathFor } from '../src/steps/write-beside.js';
import type { Action } from '../src/strategies/action.js';
import { stashFinishSteps, type StashFinish } from '../src/strategies/stash-finish.js';
import { logData } from './e2e/helpers.js';
import { caseFolder, ownStatePlace, silent } from './strategy-folder.js';

const folder = caseFolder('cmem-stash-finish-');
const log = silent;
const original = logData(200_000);
const file = () => path.join(folder(), 'app.log');
const gz = () => `${file()}.gz`;
const gunzips = (f: string) => fs.existsSync(f) && zlib.gunzipSync(fs.readFileSync(f)).equals(original);

/** Where a killed stash-then-rewrite run left FILE: untouched, rewritten and cut (not renamed), removed, or renamed to its .gz. */
type Left = 'original' | 'rewritten' | 'gone' | 'renamed';

async function stopped(left: Left) {
  ownStatePlace(folder());
  fs.writeFileSync(file(), original);
  const facts = probeFile(file());
  const fd = fs.openSync(file(), 'r');
  const { source, compressed } = await readAndCompress(fd, {}, { level: 6, mtime: 0 }).finally(() => fs.closeSync(fd));
  const stashDir = path.join(folder(), 'stash');
  fs.mkdirSync(stashDir, { mode: 0o700 });
  const paths = stashPaths(stashDir, facts);
  let m = newStashManifest(facts, { fsType: fsTypeOf(folder()), name: file() }, source, compressed.size);
  await writeStash(paths, m, chunksOf(compressed), (f) => verifyWritten(f, compressed, source));
  m = setStashPhase(paths, m, 'rewriting');
  // Rewritten in place: the same inode, which the rename then gives the .gz's name.
  if (left === 'rewritten' || left === 'renamed') fs.writeFileSync(file(), Buffer.concat(chunksOf(compressed)));
  if (left === 'renamed') fs.renameSync(file(), gz());
  if (left === 'gone') fs.rmSync(file());
  return { found: { paths, manifest: m }, m };
}

/** The rerun: the list from where the bytes are now, run with step i failing before or after it acts. */
async function rerun(s: Awaited<ReturnType<typeof stopped>>, fail?: { i: number; when: 'before' | 'after' }) {
  const facts = probeFile(file());
  const plan = stashResume(s.found, s.m, facts, gz());
  const steps = plan.steps.map((x, k): Action<StashFinish> => {
    if (k !== fail?.i) return x;
    const boom = () => {
      throw new Error('injected');
    };
    return { ...x, run: fail.when === 'before' ? boom : async (c) => (await x.run!(c), boom()) };
  });
  await execute({ steps, ctx: stashFinishJob(s.found, s.m, facts, gz(), log), log, into: {} });
  return plan;
}

const LEFT: [Left, string][] = [
  ['original', 'file'],
  ['rewritten', 'file'],
  ['gone', 'gone'],
  ['renamed', 'gz'],
];

it.each(LEFT)('FILE %s: the rerun finishes from where FILE is (%s), the copy gone', async (left, where) => {
  const s = await stopped(left);
  expect((await rerun(s)).where).toBe(where);
  expect([gunzips(gz()), fs.existsSync(file()), fs.existsSync(s.found.paths.data)]).toEqual([true, false, false]);
});

it.each(LEFT.flatMap(([left]) => (['before', 'after'] as const).map((when) => [left, when] as const)))('FILE %s, a failure %s each step: the copy or the .gz holds every byte, and the next rerun finishes', async (left, when) => {
  const first = await stopped(left);
  const steps = stashResume(first.found, first.m, probeFile(file()), gz()).steps.length;
  for (let i = 0; i < steps; i++) {
    fs.rmSync(folder(), { recursive: true, force: true });
    fs.mkdirSync(folder());
    const s = await stopped(left);
    await expect(rerun(s, { i, when }), `step ${i}`).rejects.toThrow('injected');
    const at = `step ${i} (${when})`;
    expect(gunzips(s.found.paths.data) || gunzips(gz()), at).toBe(true);
    if (fs.existsSync(s.found.paths.manifest)) await rerun(s);
    expect([gunzips(gz()), fs.existsSync(file()), fs.existsSync(s.found.paths.data)], at).toEqual([true, false, false]);
  }
});

// Rewriting FILE ran out of room (holes, copy-on-write) and the rerun goes on by removing FILE instead; meanwhile
// (during the stash's check, say) logrotate renamed FILE to FILE.1 and its writer began a new FILE. The rewrite
// followed the inode to FILE.1: so must the removal. The new FILE is the writer's, never the job's.
it('removing FILE instead of rewriting it removes the inode of record at its name now, never a new FILE logrotate made', async () => {
  const s = await stopped('original');
  const facts = probeFile(file());
  const rotated = `${file()}.1`;
  fs.renameSync(file(), rotated);
  const fresh = Buffer.from('the first line of the new log\n');
  fs.writeFileSync(file(), fresh);
  const steps = stashFinishSteps(false, 'instead', s.m.compressedSize);
  await execute({ steps, ctx: stashFinishJob(s.found, s.m, facts, gz(), log), log, into: {} }).catch(() => {});
  expect([fs.existsSync(file()) && fs.readFileSync(file()).equals(fresh), fs.existsSync(rotated), gunzips(gz())]).toEqual([true, false, true]);
});

// The removal instead of the rewrite makes the temporary first (on record before FILE goes): if FILE's unlink
// then fails, the temporary must go too, or every later rerun stops on it (its create is O_EXCL).
it('removing FILE instead, its unlink failing: no temporary is left, and the next rerun finishes', async () => {
  const s = await stopped('original');
  const facts = probeFile(file());
  const steps = stashFinishSteps(false, 'instead', s.m.compressedSize);
  const unlink = vi.spyOn(fs, 'unlinkSync').mockImplementationOnce(() => {
    throw Object.assign(new Error('EIO: i/o error, unlink'), { code: 'EIO' });
  });
  await expect(execute({ steps, ctx: stashFinishJob(s.found, s.m, facts, gz(), log), log, into: {} })).rejects.toThrow('EIO');
  unlink.mockRestore();
  expect(fs.existsSync(tempPathFor(gz()))).toBe(false);
  await execute({ steps, ctx: stashFinishJob(s.found, s.m, probeFile(file()), gz(), log), log, into: {} });
  expect([gunzips(gz()), fs.existsSync(file()), fs.existsSync(s.found.paths.data)]).toEqual([true, false, false]);
});

// A rerun killed inside the removal instead (its temporary made, FILE not yet removed) leaves FILE rewritten
// partway and that temporary: the next rerun takes the same way, and the copy supersedes the temporary.
it('removing FILE instead, a temporary left by a rerun killed there: superseded by the copy, the job finishes', async () => {
  const s = await stopped('original');
  fs.writeFileSync(tempPathFor(gz()), Buffer.from('the start of a .gz'));
  const steps = stashFinishSteps(false, 'instead', s.m.compressedSize);
  await execute({ steps, ctx: stashFinishJob(s.found, s.m, probeFile(file()), gz(), log), log, into: {} });
  expect([gunzips(gz()), fs.existsSync(file()), fs.existsSync(tempPathFor(gz())), fs.existsSync(s.found.paths.data)]).toEqual([true, false, false, false]);
});
