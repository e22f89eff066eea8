import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { gunzipHash, hasScript, jsonLines, run, runInTerminal, warnSkip, writeLog } from './helpers.js';

// NO_COLOR is set by the runners, so any escape sequence left in the output is the progress line's.
const ESC = '\x1b[';
const MiB = 2 ** 20;

describe('progress display', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-progress-'));
  const log = path.join(dir, 'app.log');
  let hash = '';
  beforeEach(() => {
    fs.rmSync(`${log}.gz`, { force: true });
    hash = writeLog(log, 8 * MiB);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('never reaches a piped stderr', () => {
    const r = run(['-k', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).not.toContain(ESC);
    expect(r.stderr + r.stdout).not.toContain('\r');
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });

  it('never mixes into --json, even piped', () => {
    const r = run(['--json', '-k', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(1);
    expect(r.stderr + r.stdout).not.toContain(ESC);
  });

  describe.skipIf(warnSkip(hasScript() ? undefined : 'NO `script` (util-linux): terminal progress tests are SKIPPED'))('on a terminal', () => {
    it('draws the compressing line and clears it', () => {
      const r = runInTerminal(['-k', log]);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/\rcompressing +\d+\.\d%  [\d.]+ \w?B of 8 MiB/);
      // Each step's line is wiped before the next log line: no log line starts after a progress line.
      expect(r.stdout).toContain('\r\x1b[K');
      expect(r.stdout).not.toMatch(/of 8 MiB[^\r]*\x1b\[K\d\d:\d\d/);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
    });

    it('stays off with --json', () => {
      const r = runInTerminal(['--json', '-k', log]);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).not.toContain(ESC);
      expect(r.stdout).toContain('"status":"compressed"');
    });

    it('stays off with -q', () => {
      const r = runInTerminal(['-q', '-k', log]);
      expect(r.code, r.stdout).toBe(0);
      expect(r.stdout).not.toContain(ESC);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
    });
  });
});
