import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSea, fullDiskRoundTrip, mountSkipReason, PACKAGE_VERSION, ROOT, run, seaHasCodeCache, seaPath, warnSkip } from './helpers.js';

const BUNDLE = path.join(ROOT, 'dist/cmemgzip.js');
const SEA = seaPath();

describe.skipIf(warnSkip(mountSkipReason()))('artefacts', () => {
  describe.each([
    ['the bundle', BUNDLE],
    ['bin/cmemgzip.js', path.join(ROOT, 'bin/cmemgzip.js')],
  ])('%s', (_name, cli) => {
    it('prints the package version', () => expect(run(['--version'], { cli }).stdout.split('\n')[0]).toBe(`cmemgzip ${PACKAGE_VERSION}`));
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
    it('prints the package version', () => expect(run(['--version'], { cli: alone, cwd: dir }).stdout.split('\n')[0]).toBe(`cmemgzip ${PACKAGE_VERSION}`));
    it('compresses a log on a full disk', () => fullDiskRoundTrip(alone, { cwd: dir }));
  });

  describe('the single executable', () => {
    let skip: string | undefined;
    beforeAll(() => {
      skip = ensureSea();
      warnSkip(skip);
    }, 300_000);
    // No node on PATH: the executable must carry its own runtime.
    const noNode = { PATH: '/nonexistent' };

    it('carries the V8 code cache, made for this very node and CPU', ({ skip: skipTest }) => {
      skipTest(skip !== undefined, skip);
      expect(seaHasCodeCache(SEA)).toBe(true);
    });
    it('prints the package version without node on PATH', ({ skip: skipTest }) => {
      skipTest(skip !== undefined, skip);
      const r = run(['--version'], { cli: SEA, env: noNode });
      // The runtime it carries is the pinned LTS release, whatever node built it.
      expect(r.stdout, r.stderr).toMatch(new RegExp(`^cmemgzip ${PACKAGE_VERSION}\nsingle executable, node v24\\.`));
    });
    it('compresses a log on a full disk without node on PATH', ({ skip: skipTest }) => {
      skipTest(skip !== undefined, skip);
      fullDiskRoundTrip(SEA, { env: noNode });
    });
  });
});
