// The linux-arm64 single executable, run under qemu-user on this machine: --version and a full-disk round trip checked with the system's gzip.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureSea, fullDiskRoundTrip, mountSkipReason, PACKAGE_VERSION, run, seaHasCodeCache, seaPath, warnSkip } from './helpers.js';

const SEA = seaPath('arm64');
// Debian's qemu-user-static runs the binary; libc6-arm64-cross and libstdc++6-arm64-cross give it the arm64 libraries it links.
const SYSROOT = '/usr/aarch64-linux-gnu';
// By its full path: the runs have no PATH, to show the executable needs no node.
const QEMU = ['/usr/bin/qemu-aarch64-static', '-L', SYSROOT];

function emulationMissing(): string | undefined {
  if (process.arch === 'arm64') return undefined;
  if (spawnSync(QEMU[0], ['--version']).status !== 0) return 'qemu-aarch64-static IS MISSING (apt-get install qemu-user-static): the arm64 executable is NOT TESTED';
  if (!fs.existsSync(`${SYSROOT}/lib/ld-linux-aarch64.so.1`) || !fs.existsSync(`${SYSROOT}/lib/libstdc++.so.6`))
    return `NO arm64 LIBRARIES IN ${SYSROOT} (apt-get install libc6-arm64-cross libstdc++6-arm64-cross): the arm64 executable is NOT TESTED`;
  return undefined;
}

const prefix = process.arch === 'arm64' ? [] : QEMU;
/** Wall time of a run, printed so that CI's log records what emulation costs. */
function timed<T>(what: string, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  console.log(`arm64 under qemu-user: ${what} took ${((performance.now() - t0) / 1000).toFixed(2)} s`);
  return out;
}

describe.skipIf(warnSkip(mountSkipReason() ?? emulationMissing()))('the linux-arm64 single executable', () => {
  let skip: string | undefined;
  beforeAll(() => {
    skip = ensureSea('arm64');
    warnSkip(skip);
  }, 300_000);
  const noNode = { PATH: '/nonexistent' };

  it('is an arm64 ELF executable', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    // e_machine at offset 18: 183 is EM_AARCH64.
    expect(fs.readFileSync(SEA).readUInt16LE(18)).toBe(183);
  });
  it('carries no V8 code cache: the building x64 V8 made it, and an arm64 V8 would reject it', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    expect(seaHasCodeCache(SEA)).toBe(false);
  });
  it('prints the package version without node on PATH', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    const r = timed('--version', () => run(['--version'], { cli: SEA, prefix, env: noNode }));
    expect(r.stdout, r.stderr).toMatch(new RegExp(`^cmemgzip ${PACKAGE_VERSION}\nsingle executable, node v24\\.`));
  });
  it('compresses a 16 MiB log on a full tmpfs without node on PATH', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    timed('a full-disk round trip of 16 MiB (write, fill, run, gzip -dc)', () => fullDiskRoundTrip(SEA, { prefix, env: noNode }));
  });
});
