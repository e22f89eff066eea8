// The streamed beside strategy run by the executor on a real folder, stopped by a failure before and after
// each step: FILE untouched and nothing left, or the .gz whole under its name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { probeFile } from '../src/probe/file.js';
import type { Logger } from '../src/report/logger.js';
import { execute } from '../src/run/executor.js';
import type { Action } from '../src/strategies/action.js';
import { streamedSteps, type StreamedJob } from '../src/strategies/streamed-beside.js';
import { logData } from './e2e/helpers.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-streamed-'))));
const saved = process.env.CMEMGZIP_STATE_DIRS;
afterEach(() => {
  process.env.CMEMGZIP_STATE_DIRS = saved;
  fs.rmSync(dir, { recursive: true, force: true });
});

const log = { info: () => {}, detail: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;
const original = logData(300_000);
const file = () => path.join(dir, 'app.log');

function job(holder = false) {
  // The beside note goes to a state place of the test's own, gone with its folder.
  fs.mkdirSync(path.join(dir, 'state'), { mode: 0o700 });
  process.env.CMEMGZIP_STATE_DIRS = path.join(dir, 'state');
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
  expect([fs.readdirSync(dir), gunzips(`${file()}.gz`)]).toEqual([['app.log.gz', 'state'], true]);
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
    else expect([fs.readdirSync(dir), fs.readFileSync(file()).equals(original)], at).toEqual([['app.log', 'state'], true]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
  }
});

it('a holder seen right before FILE goes: FILE stays, and the check is what stops it', async () => {
  const { ctx, closeSource } = job(true);
  await expect(execute({ steps: streamedSteps({ size: original.length, compressedSize: 0 }), ctx, log, into: {} })).rejects.toThrow('a holder appeared');
  closeSource();
  expect(fs.readFileSync(file()).equals(original)).toBe(true);
});
