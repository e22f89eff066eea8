// The streamed beside run: the .gz is written to a temporary, each segment read back and checked, then renamed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { streamBeside } from '../src/steps/stream-beside.js';
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
  const st = fs.fstatSync(fd);
  try {
    const outputPath = `${file}.gz`;
    const r = await streamBeside({ fd, outputPath, header: { level: 6, mtime: 0 }, original: st, onTemp: () => {}, assertSource: () => {} });
    return { r, gz: fs.readFileSync(outputPath) };
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
