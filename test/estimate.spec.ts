// estimateCompressed against the real compressed size.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, expect, it } from 'vitest';
import { estimateCompressed } from '../src/steps/estimate.js';
import { logData } from './e2e/helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-estimate-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function estimate(data: Buffer, level: number): number {
  const file = path.join(dir, 'data');
  fs.writeFileSync(file, data);
  const fd = fs.openSync(file, 'r');
  try {
    return estimateCompressed(fd, data.length, level);
  } finally {
    fs.closeSync(fd);
  }
}

const MiB = 2 ** 20;
it.each([
  ['8 MiB of logs at -6', logData(8 * MiB), 6],
  ['8 MiB of logs at -1', logData(8 * MiB), 1],
  ['300 KiB of logs at -9', logData(300 * 1024), 9],
  ['10 KiB of logs at -6', logData(10 * 1024), 6],
  ['1 MiB of random bytes at -6', crypto.randomBytes(MiB), 6],
])('estimates %s within 20%% of the real size', (_what, data, level) => {
  const real = zlib.gzipSync(data, { level }).length;
  expect(Math.abs(estimate(data, level) - real) / real).toBeLessThan(0.2);
});

it('estimates an empty file as a bare gzip member', () => expect(estimate(Buffer.alloc(0), 6)).toBe(20));
