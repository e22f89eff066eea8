// The .deb: build:deb's amd64 package holds the executable in /usr/bin, the man page, the completions and the copyright; unpacked into a temporary root, it runs.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureSea, gunzipHash, PACKAGE_VERSION, ROOT, run, seaPath, warnSkip, writeLog } from './helpers.js';
import { cannotVerifyUnits, verifyUnits } from './systemd-verify.js';

const DEB = path.join(ROOT, `dist/cmemgzip_${PACKAGE_VERSION}_amd64.deb`);
const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);

function cannotTest(): string | undefined {
  if (process.arch !== 'x64') return `THIS MACHINE IS ${process.arch}, NOT x64: the amd64 .deb is NOT TESTED`;
  if (spawnSync('dpkg-deb', ['--version']).error) return 'dpkg-deb IS MISSING (a Debian system has it): the .deb is NOT TESTED';
  return undefined;
}

describe.skipIf(warnSkip(cannotTest()))('the amd64 .deb', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-deb-'));
  const installed = (p: string) => path.join(root, p);
  let skip: string | undefined;
  beforeAll(() => {
    skip = ensureSea('x64');
    if (warnSkip(skip)) return;
    // Packed again only when what it holds is newer: xz over 95 MiB takes a minute.
    const held = [seaPath('x64'), path.join(ROOT, 'dist/cmemgzip.1'), ...['contrib/systemd/cmemgzip-guard.service', 'contrib/systemd/cmemgzip-guard.timer', 'contrib/logrotate/full-disk.conf', 'scripts/build-deb.mjs'].map((f) => path.join(ROOT, f))];
    if (mtime(DEB) < Math.max(...held.map(mtime)))
      execFileSync(process.execPath, ['scripts/build-deb.mjs', 'amd64'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
    console.log(`${path.basename(DEB)}: ${fs.statSync(DEB).size} bytes`);
    // dpkg -x: the files as dpkg would install them, without touching this machine's package database.
    execFileSync('dpkg-deb', ['-x', DEB, root]);
  }, 900_000);
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('says what it is: cmemgzip, the package version, amd64', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    expect(execFileSync('dpkg-deb', ['-f', DEB, 'Package', 'Version', 'Architecture'], { encoding: 'utf8' })).toBe(
      `Package: cmemgzip\nVersion: ${PACKAGE_VERSION}\nArchitecture: amd64\n`,
    );
  });
  it('installs the executable, the man page, the completions and the copyright', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    expect(fs.statSync(installed('usr/bin/cmemgzip')).mode & 0o777).toBe(0o755);
    expect(execFileSync('gzip', ['-dc', installed('usr/share/man/man1/cmemgzip.1.gz')], { encoding: 'utf8' })).toMatch(/^\.TH CMEMGZIP 1 /);
    expect(fs.readFileSync(installed('usr/share/bash-completion/completions/cmemgzip'), 'utf8')).toContain('complete -o filenames -F _cmemgzip cmemgzip');
    expect(fs.readFileSync(installed('usr/share/zsh/vendor-completions/_cmemgzip'), 'utf8')).toMatch(/^#compdef cmemgzip/);
    expect(fs.readFileSync(installed('usr/share/doc/cmemgzip/copyright'), 'utf8')).toMatch(/^Format: .*\n[\s\S]*License: MIT/);
  });
  it('ships the guard units, which systemd-analyze verify accepts, disabled (no maintainer script), and the logrotate recipe', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    const units = ['cmemgzip-guard.service', 'cmemgzip-guard.timer'].map((u) => installed(`usr/lib/systemd/system/${u}`));
    for (const u of units) expect(fs.readFileSync(u, 'utf8')).toBe(fs.readFileSync(path.join(ROOT, 'contrib/systemd', path.basename(u)), 'utf8'));
    // Nothing enables them: a package enables a unit only from its postinst (deb-systemd-helper), and this one has none.
    const control = execFileSync('dpkg-deb', ['--ctrl-tarfile', DEB]);
    expect(execFileSync('tar', ['-t'], { input: control, encoding: 'utf8' }).split('\n').filter(Boolean).sort()).toEqual(['./', './control']);
    if (!warnSkip(cannotVerifyUnits())) expect(verifyUnits(units)).toEqual({ code: 0, output: '' });
    expect(fs.readFileSync(installed('usr/share/doc/cmemgzip/examples/logrotate-full-disk.conf'), 'utf8')).toBe(
      fs.readFileSync(path.join(ROOT, 'contrib/logrotate/full-disk.conf'), 'utf8'),
    );
  });
  it('runs from /usr/bin with no node on PATH', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    const noNode = { PATH: '/nonexistent' };
    expect(run(['--version'], { cli: installed('usr/bin/cmemgzip'), env: noNode }).stdout.split('\n')[0]).toBe(`cmemgzip ${PACKAGE_VERSION}`);
    const log = path.join(root, 'app.log');
    const hash = writeLog(log, 4 * 2 ** 20);
    const r = run([log], { cli: installed('usr/bin/cmemgzip'), env: noNode });
    expect(r.code, r.stderr).toBe(0);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });
  it('completes from its installed bash completion', ({ skip: skipTest }) => {
    skipTest(skip !== undefined, skip);
    const script = `source ${installed('usr/share/bash-completion/completions/cmemgzip')}; COMP_WORDS=(cmemgzip --copyt); COMP_CWORD=1; _cmemgzip; echo "\${COMPREPLY[@]}"`;
    expect(execFileSync('bash', ['-c', script], { encoding: 'utf8' }).trim()).toBe('--copytruncate');
  });
});
