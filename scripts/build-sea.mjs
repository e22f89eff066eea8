// Builds dist/cmemgzip-<platform>-<arch>: a Node single executable application that runs with no Node installed.
// Exit 3 means a SEA cannot be built on this machine (its node lacks the SEA fuse, or postject is missing).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { common, version } from './build-options.mjs';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const root = path.resolve(import.meta.dirname, '..');
const work = path.join(root, 'dist/sea');
const script = path.join(work, 'cmemgzip.cjs');
const blob = path.join(work, 'cmemgzip.blob');
const config = path.join(work, 'sea-config.json');
const exe = path.join(root, `dist/cmemgzip-${process.platform}-${process.arch}${process.platform === 'win32' ? '.exe' : ''}`);
const mac = process.platform === 'darwin';

function impossible(why) {
  console.error(`build-sea: a single executable cannot be built here: ${why}`);
  process.exit(3);
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

if (!fs.readFileSync(process.execPath).includes(FUSE)) impossible(`${process.execPath} has no SEA fuse (a distribution build without SEA support?)`);
let postject;
try {
  postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
} catch {
  impossible('postject is not installed (npm ci installs it as a dev dependency)');
}

fs.mkdirSync(work, { recursive: true });
// Node 20's SEA runs one CommonJS script, and its require() only loads built-in modules: bundle everything.
await build({ ...common, outfile: script, format: 'cjs' });
// The V8 code cache spares compiling the bundle at each start (--version: 0.09 s -> 0.08 s here).
fs.writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true }, null, 2));
run(process.execPath, ['--experimental-sea-config', config]);

fs.rmSync(exe, { force: true });
fs.copyFileSync(process.execPath, exe);
fs.chmodSync(exe, 0o755);
if (mac) run('codesign', ['--remove-signature', exe]);
// postject's ELF rewriter warns "Can't find string offset for section name '.note.100'": harmless.
run(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE, ...(mac ? ['--macho-segment-name', 'NODE_SEA'] : [])]);
if (mac) run('codesign', ['--sign', '-', exe]);

const printed = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
if (printed.stdout.trim() !== `cmemgzip ${version}`) {
  console.error(`build-sea: ${exe} --version printed ${JSON.stringify(printed.stdout + printed.stderr)}, expected cmemgzip ${version}`);
  process.exit(1);
}
console.log(`${path.relative(root, exe)}: ${(fs.statSync(exe).size / 2 ** 20).toFixed(1)} MiB, version ${version}, runs without node on PATH`);
