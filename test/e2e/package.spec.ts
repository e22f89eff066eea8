// The npm package: npm pack holds only bin, the bundle, the man page, the completions, README and LICENSE, and `npm i -g` of it gives a working cmemgzip that needs no dependency.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gunzipHash, PACKAGE_VERSION, ROOT, run, warnSkip, writeLog } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-package-'));
const prefix = path.join(tmp, 'prefix');
const installed = path.join(prefix, 'lib/node_modules/cmemgzip');
const npm = (...args: string[]) => execFileSync('npm', [...args, '--no-audit', '--no-fund'], { cwd: ROOT, encoding: 'utf8' });
// The installed bin starts with #!/usr/bin/env node: give it this node, as a user's PATH would.
const env = { PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` };

let packed: { filename: string; files: { path: string }[]; size: number; unpackedSize: number };
beforeAll(() => {
  // npm test has just built the bundle and the man page; --ignore-scripts spares prepack building them again.
  [packed] = JSON.parse(npm('pack', '--ignore-scripts', '--json', '--pack-destination', tmp));
  console.log(`npm package: ${packed.filename}, ${packed.size} bytes packed, ${packed.unpackedSize} bytes installed`);
  // --offline: the package must install from its tarball alone, with nothing to fetch.
  npm('install', '--global', '--offline', '--prefix', prefix, path.join(tmp, packed.filename));
}, 120_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('npm pack', () => {
  it('holds bin, the bundle, the man page, the bash and zsh completions, README, LICENSE and package.json, nothing else', () =>
    expect(packed.files.map((f) => f.path).sort()).toEqual(['LICENSE', 'README.md', 'bin/cmemgzip.js', 'dist/cmemgzip.1', 'dist/cmemgzip.js', 'dist/completion/_cmemgzip', 'dist/completion/cmemgzip.bash', 'package.json']));
  it('is a few hundred KB installed, not the 95 MiB executable', () => expect(packed.unpackedSize).toBeLessThan(1024 * 1024));
});

describe('npm i -g of the packed tarball', () => {
  it('installs no dependency: the bundle carries commander, chalk and pretty-bytes', () => {
    expect(fs.existsSync(path.join(installed, 'node_modules'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')).dependencies).toBeUndefined();
  });
  it('gives a cmemgzip that prints the version', () => expect(run(['--version'], { cli: path.join(prefix, 'bin/cmemgzip'), env }).stdout.split('\n')[0]).toBe(`cmemgzip ${PACKAGE_VERSION}`));
  it('gives a cmemgzip that compresses a file, checked by gzip', () => {
    const log = path.join(tmp, 'app.log');
    const hash = writeLog(log, 4 * 2 ** 20);
    const r = run([log], { cli: path.join(prefix, 'bin/cmemgzip'), env });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });
  it('installs the man page where man finds it', () => {
    expect(fs.readFileSync(path.join(prefix, 'share/man/man1/cmemgzip.1'), 'utf8')).toMatch(/^\.TH CMEMGZIP 1 /);
  });
  it("the man page's ENVIRONMENT names every variable the tool reads: GZIP, CMEMGZIP_STATE_DIRS, NO_COLOR", () => {
    const page = fs.readFileSync(path.join(installed, 'dist/cmemgzip.1'), 'utf8');
    const environment = page.slice(page.indexOf('.SH ENVIRONMENT'), page.indexOf('.SH FILES'));
    for (const name of ['GZIP', 'CMEMGZIP_STATE_DIRS', 'NO_COLOR']) expect(environment).toContain(`\\fB${name}\\fR`);
  });
  it('--dry-run, which works, is in --help, the man page and both completions', () => {
    expect(run(['--help'], { cli: path.join(prefix, 'bin/cmemgzip'), env }).stdout).toMatch(/--dry-run +same as --simulate/);
    expect(fs.readFileSync(path.join(installed, 'dist/cmemgzip.1'), 'utf8')).toContain('\\-\\-dry\\-run');
    for (const completion of ['dist/completion/cmemgzip.bash', 'dist/completion/_cmemgzip']) expect(fs.readFileSync(path.join(installed, completion), 'utf8'), completion).toContain('--dry-run');
  });
  const noMan = spawnSync('man', ['--version']).error !== undefined;
  it.skipIf(warnSkip(noMan ? 'man IS MISSING (apt-get install man-db): `man cmemgzip` is NOT TRIED' : undefined))('man cmemgzip finds it under the prefix', () => {
    const r = spawnSync('man', ['-w', 'cmemgzip'], { env: { ...process.env, MANPATH: path.join(prefix, 'share/man') }, encoding: 'utf8' });
    // npm links share/man/man1/cmemgzip.1 to the package's copy, and man -w names the link's target.
    expect(r.stdout.trim(), r.stderr).toBe(fs.realpathSync(path.join(prefix, 'share/man/man1/cmemgzip.1')));
  });
});
