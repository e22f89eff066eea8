// probeSpace and logDone: the filesystem probed once for a .gz beside FILE, and not at all for a line nobody sees.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { probeFile } from '../src/probe/file.js';
import { createLogger } from '../src/report/logger.js';
import { logDone, probeSpace } from '../src/run/file-job.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-file-job-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, 'app.log');
fs.writeFileSync(file, 'a line\n');

it('probes the filesystem once when the .gz goes beside FILE', () => {
  const space = probeSpace(probeFile(file), `${file}.gz`);
  expect(space.outputFs).toBe(space.fileFs);
});

it('probes the output folder on its own when the .gz goes elsewhere', () => {
  const space = probeSpace(probeFile(file), path.join(os.tmpdir(), 'app.log.gz'));
  expect(space.outputFs).not.toBe(space.fileFs);
});

/** A logger whose lines are kept. */
function kept(opts: { quiet: boolean; json: boolean }) {
  const lines: string[] = [];
  const out = { write: (s: string) => lines.push(s) } as unknown as NodeJS.WritableStream;
  return { lines, log: createLogger({ ...opts, verbose: false, color: false }, out, out) };
}

it.each([
  ['-q', { quiet: true, json: false }],
  ['--json', { quiet: false, json: true }],
])('with %s, the outcome line is not made: no probe of the free space (FILE\'s folder may be gone)', (_what, opts) => {
  const { lines, log } = kept(opts);
  expect(log.chatty).toBe(false);
  const gone = { ...probeFile(file), dir: path.join(dir, 'no-such-folder') };
  expect(() => logDone(log, gone, `${file}.gz`, 7, 30, 0, 1, false)).not.toThrow();
  expect(lines).toEqual([]);
});

it('by default, the outcome line says the free space measured again', () => {
  const { lines, log } = kept({ quiet: false, json: false });
  expect(log.chatty).toBe(true);
  logDone(log, probeFile(file), `${file}.gz`, 7, 30, 0, 1, false);
  expect(lines.join('')).toMatch(/app\.log -> .*app\.log\.gz: 7 B .* -> 30 B .*, free space now .* \(was 0 B/);
});
