// The streamed beside strategy run by the executor on a real folder, stopped by a failure before and after
// each step: FILE untouched and nothing left, or the .gz whole under its name.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { expect, it } from 'vitest';
import { probeFile } from '../src/probe/file.js';
import { execute } from '../src/run/executor.js';
import type { Action } from '../src/strategies/action.js';
import { streamedSteps, type StreamedJob } from '../src/strategies/streamed-beside.js';
import { logData } from './e2e/helpers.js';
import { caseFolder, ownStatePlace, silent } from './strategy-folder.js';

const folder = caseFolder('cmem-streamed-');
const log = silent;
const original = logData(300_000);
const file = () => path.join(folder(), 'app.log');

function job(holder = false) {
  ownStatePlace(folder());
  fs.writeFileSync(file(), original);
  const fd = fs.openSync(file(), 'r');
  let open = true;
  const closeSource = () => open && ((open = false), fs.closeSync(fd));
  const ctx: StreamedJob = {
    fd,
    facts: probeFile(file()),
    outputPath: `${file()}.gz`,
    header: { level: 6, mtime: 0 },
    say: log,
    closeSource,
    clearToRemove: async () => {
      if (holder) throw new Error('a holder appeared');
    },
  };
  return { ctx, closeSource };
}

const gunzips = (f: string) => fs.existsSync(f) && zlib.gunzipSync(fs.readFileSync(f)).equals(original);

it('runs to a .gz that gunzips to FILE, FILE gone, nothing else left', async () => {
  const { ctx } = job();
  await execute({ steps: streamedSteps({ size: original.length, compressedSize: 0 }), ctx, log, into: {} });
  expect([fs.readdirSync(folder()), gunzips(`${file()}.gz`)]).toEqual([['app.log.gz', 'state'], true]);
});

it.each(['before', 'after'] as const)('a failure %s each step: FILE untouched and nothing left, or the .gz whole under its name', async (when) => {
  const steps = streamedSteps({ size: original.length, compressedSize: 0 });
  for (let i = 0; i < steps.length; i++) {
    const { ctx, closeSource } = job();
    const s = steps[i];
    const boom = () => {
      throw new Error('injected');
    };
    const failing: Action<StreamedJob>[] = steps.map((x, k) => (k !== i ? x : { ...s, run: when === 'before' ? boom : async (c: StreamedJob) => (await s.run!(c), boom()) }));
    await expect(execute({ steps: failing, ctx, log, into: {} })).rejects.toThrow('injected');
    closeSource();
    const committed = i > 2 || (i === 2 && when === 'after');
    const at = `${s.name} (${when})`;
    if (committed) expect(gunzips(`${file()}.gz`), at).toBe(true);
    else expect([fs.readdirSync(folder()), fs.readFileSync(file()).equals(original)], at).toEqual([['app.log', 'state'], true]);
    fs.rmSync(folder(), { recursive: true, force: true });
    fs.mkdirSync(folder());
  }
});

it('a holder seen right before FILE goes: FILE stays, and the check is what stops it', async () => {
  const { ctx, closeSource } = job(true);
  await expect(execute({ steps: streamedSteps({ size: original.length, compressedSize: 0 }), ctx, log, into: {} })).rejects.toThrow('a holder appeared');
  closeSource();
  expect(fs.readFileSync(file()).equals(original)).toBe(true);
});
