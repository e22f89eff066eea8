// systemd-analyze verify on unit files, in a throwaway root holding this machine's units (for the targets
// ours name) and a stub /usr/bin/cmemgzip (verify checks that ExecStart's program is executable).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const HOST_UNITS = ['/usr/lib/systemd/system', '/lib/systemd/system'].find((d) => fs.existsSync(d));

/** Why units cannot be verified here, to skip loudly with; undefined when they can. */
export function cannotVerifyUnits(): string | undefined {
  if (spawnSync('systemd-analyze', ['--version']).error) return 'systemd-analyze IS MISSING: the systemd units are NOT VERIFIED';
  if (!HOST_UNITS) return 'this machine has no systemd unit folder: the systemd units are NOT VERIFIED';
  return undefined;
}

/** Exit code and everything systemd-analyze printed: 0 and nothing at all when the units are clean (it warns with exit 0). */
export function verifyUnits(unitFiles: readonly string[]): { code: number | null; output: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-units-'));
  try {
    const units = path.join(root, 'usr/lib/systemd/system');
    fs.mkdirSync(units, { recursive: true });
    fs.cpSync(HOST_UNITS!, units, { recursive: true, verbatimSymlinks: true });
    fs.mkdirSync(path.join(root, 'usr/bin'));
    fs.writeFileSync(path.join(root, 'usr/bin/cmemgzip'), '#!/bin/sh\n', { mode: 0o755 });
    const placed = unitFiles.map((f) => {
      const to = path.join(units, path.basename(f));
      fs.copyFileSync(f, to);
      return to;
    });
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', `--root=${root}`, ...placed], { encoding: 'utf8' });
    return { code: r.status, output: (r.stdout + r.stderr).replaceAll(root, '') };
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
