// What a run with its safety copy in RAM leaves after a power cut (FILE holding the .gz of itself, whole
// or half written, and no stash) is recognised and explained on the next run, never compressed again.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { jsonLines, logData, run, runBinary, sha256File } from './helpers.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-reboot-'));
  file = path.join(dir, 'app.log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The .gz cmemgzip makes of `original` under FILE's name. */
function gzOf(original: Buffer): Buffer {
  fs.writeFileSync(file, original);
  return runBinary(['-c', file]).stdout;
}

it('a complete .gz under its own name (rewritten, never renamed): refused with the mv that finishes it', () => {
  fs.writeFileSync(file, gzOf(logData(3 * 2 ** 20)));
  const before = sha256File(file);
  const r = run(['--json', file]);
  expect(r.code, r.stderr).toBe(1);
  expect(jsonLines(r.stdout)[0]).toMatchObject({ error: { code: 'UNFINISHED', hint: `finish by hand: gzip -t ${file} && mv ${file} ${file}.gz` } });
  expect(sha256File(file)).toBe(before);
});

it('a half-rewritten FILE (.gz head over the original tail): refused, explained, untouched', () => {
  const original = logData(3 * 2 ** 20);
  const half = Buffer.from(original);
  gzOf(original).copy(half, 0, 0, 64 * 1024);
  fs.writeFileSync(file, half);
  const r = run(['--json', file]);
  expect(r.code, r.stderr).toBe(1);
  expect(jsonLines(r.stdout)[0]).toMatchObject({ error: { code: 'UNFINISHED', message: expect.stringContaining('does not decompress whole') } });
  expect(fs.readFileSync(file).equals(half)).toBe(true);
});
