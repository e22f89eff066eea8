import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, gunzipHash, mountFs, mountSkipReason, ROOT, run, warnSkip, writeLog } from './helpers.js';

const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
const BUNDLE = path.join(ROOT, 'dist/cmemgzip.js');
const SEA = path.join(ROOT, `dist/cmemgzip-${process.platform}-${process.arch}`);
const MiB = 2 ** 20;

const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);

/** Builds the single executable unless a fresh one exists; returns why it cannot be built here, if so. */
function ensureSea(): string | undefined {
  if (mtime(SEA) >= mtime(BUNDLE)) return undefined;
  const r = spawnSync(process.execPath, ['scripts/build-sea.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  // Exit 3: this machine's node cannot make a SEA; anything else non-zero is a broken build and must fail.
  if (r.status === 3) return `SINGLE EXECUTABLE CANNOT BE BUILT HERE, its tests are SKIPPED: ${r.stderr.trim()}`;
  if (r.status !== 0) throw new Error(`build-sea failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return undefined;
}

/** The smoke test: a log on a full tmpfs becomes a .gz that the system's gzip decompresses to the same bytes. */
function fullDiskRoundTrip(cli: string, env: NodeJS.ProcessEnv = {}, cwd?: string): void {
  const m = mountFs('tmpfs', 24);
  try {
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 16 * MiB);
    fill(m.dir);
    const r = run(['--no-stash', '--yes', log], { cli, env, cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  } finally {
    m.unmount();
  }
}

describe.skipIf(warnSkip(mountSkipReason()))('artefacts', () => {
  describe.each([
    ['the bundle', BUNDLE],
    ['bin/cmemgzip.js', path.join(ROOT, 'bin/cmemgzip.js')],
  ])('%s', (_name, cli) => {
    it('prints the package version', () => expect(run(['--version'], { cli }).stdout.trim()).toBe(`cmemgzip ${version}`));
    it('compresses a log on a full disk', () => fullDiskRoundTrip(cli));
  });

  describe('the bundle alone, with no node_modules anywhere above it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-alone-'));
    const alone = path.join(dir, 'cmemgzip.js');
    beforeAll(() => fs.copyFileSync(BUNDLE, alone));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('has nothing to resolve packages from', () => {
      for (let d = dir; ; d = path.dirname(d)) {
        expect(fs.existsSync(path.join(d, 'node_modules')), d).toBe(false);
        if (d === path.dirname(d)) break;
      }
    });
    it('prints the package version', () => expect(run(['--version'], { cli: alone, cwd: dir }).stdout.trim()).toBe(`cmemgzip ${version}`));
    it('compresses a log on a full disk', () => fullDiskRoundTrip(alone, {}, dir));
  });

  describe('the single executable', () => {
    let skip: string | undefined;
    beforeAll(() => {
      skip = ensureSea();
      warnSkip(skip);
    }, 300_000);
    // No node on PATH: the executable must carry its own runtime.
    const noNode = { PATH: '/nonexistent' };

    it('prints the package version without node on PATH', ({ skip: skipTest }) => {
      skipTest(skip !== undefined, skip);
      const r = run(['--version'], { cli: SEA, env: noNode });
      expect(r.stdout.trim(), r.stderr).toBe(`cmemgzip ${version}`);
    });
    it('compresses a log on a full disk without node on PATH', ({ skip: skipTest }) => {
      skipTest(skip !== undefined, skip);
      fullDiskRoundTrip(SEA, noNode);
    });
  });
});
