// The streamed beside run's steps: the .gz is written to a temporary, each segment read back and checked, then renamed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { execute } from '../src/run/executor.js';
import type { Logger } from '../src/report/logger.js';
import { streamedSteps, type StreamedJob } from '../src/strategies/streamed-beside.js';
import { probeFile } from '../src/probe/file.js';
import { BLOCK_SIZE } from '../src/steps/read-blocks.js';
import { logData } from './e2e/helpers.js';

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-stream-'))));
afterEach(() => {
  vi.restoreAllMocks();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function streamed(data: Buffer) {
  const file = path.join(dir, 'app.log');
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r');
  const log = { info: () => {}, detail: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;
  try {
    const outputPath = `${file}.gz`;
    const ctx: StreamedJob = { fd, facts: probeFile(file), outputPath, header: { level: 6, mtime: 0 }, say: log, closeSource: () => {}, clearToRemove: async () => {} };
    // -k: the list ends with the .gz under its name, FILE kept.
    await execute({ steps: streamedSteps({ size: data.length, compressedSize: 0, keep: true }), ctx, log, into: {} });
    return { r: ctx.streamed!, gz: fs.readFileSync(outputPath) };
  } finally {
    fs.closeSync(fd);
  }
}

it.each([
  ['an empty file', 0, 1],
  ['a small file (one block)', 40_000, 1],
  ['three blocks', 2 * BLOCK_SIZE + 12_345, 3],
])('%s: read back with one inflate per block, the last together with the final block', async (_what, bytes, inflates) => {
  const inflate = vi.spyOn(zlib, 'inflateRaw');
  const data = logData(bytes);
  const { r, gz } = await streamed(data);
  expect(zlib.gunzipSync(gz).equals(data)).toBe(true);
  expect(r).toMatchObject({ size: bytes, compressedSize: gz.length });
  expect(inflate).toHaveBeenCalledTimes(inflates);
});

it('a final block that does not end the stream on disk is caught: nothing is renamed, the temporary is gone', async () => {
  const writev = fs.writevSync;
  vi.spyOn(fs, 'writevSync').mockImplementation((fd, chunks, position) => {
    const list = chunks as Buffer[];
    // BFINAL cleared in the final block as it lands: the stream no longer ends there.
    const landed = list[0]?.length === 2 && list[0][0] === 0x03 ? [Buffer.from([0x02, 0x00]), ...list.slice(1)] : list;
    return writev(fd, landed, position);
  });
  await expect(streamed(logData(40_000))).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
  expect(fs.readdirSync(dir)).toEqual(['app.log']);
});
