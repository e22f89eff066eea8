// Builds dist/cmemgzip-linux-<arch> for each arch named (default: x64 and arm64): Node single executables that run with no Node installed.
// Exit 3 means a SEA cannot be built on this machine (no Node binary for the target, no SEA fuse in it, or postject is missing).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { common, version } from './build-options.mjs';
import { nodeBinary, SEA_NODE_VERSION } from './node-binary.mjs';

const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const root = path.resolve(import.meta.dirname, '..');
const work = path.join(root, 'dist/sea');
const script = path.join(work, 'cmemgzip.cjs');
const archs = process.argv.length > 2 ? process.argv.slice(2) : ['x64', 'arm64'];

function impossible(why) {
  console.error(`build-sea: a single executable cannot be built here: ${why}`);
  process.exit(3);
}

const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });

let postject;
try {
  postject = createRequire(import.meta.url).resolve('postject/dist/cli.js');
} catch {
  impossible('postject is not installed (npm ci installs it as a dev dependency)');
}

fs.mkdirSync(work, { recursive: true });
// A SEA runs one CommonJS script, and its require() only loads built-in modules: bundle everything.
await build({ ...common, outfile: script, format: 'cjs' });

const fetchNode = (arch) => {
  try {
    return nodeBinary(arch);
  } catch (err) {
    return impossible(`node-linux-${arch}@${SEA_NODE_VERSION} could not be fetched from the npm registry: ${err.message}`);
  }
};
// The blob is made by the very node it goes into (V8 accepts a code cache only from the same V8), not by
// the node that runs this script: this machine's arch of SEA_NODE_VERSION makes it for every arch.
if (process.platform !== 'linux') impossible('the node that makes the blob is fetched for linux only');
const maker = fetchNode(process.arch);

for (const arch of archs) {
  const node = fetchNode(arch);
  if (!fs.readFileSync(node).includes(FUSE)) impossible(`${node} has no SEA fuse`);
  const native = process.platform === 'linux' && arch === process.arch;
  const blob = path.join(work, `cmemgzip-${arch}.blob`);
  const config = path.join(work, `sea-config-${arch}.json`);
  // The V8 code cache spares compiling the bundle at each start (--version: 0.09 s -> 0.08 s here), but
  // it is made by this node's V8 for this CPU: another arch's V8 would reject it, so it is left out there.
  fs.writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true, useCodeCache: native }, null, 2));
  run(maker, ['--experimental-sea-config', config]);

  const exe = path.join(root, `dist/cmemgzip-linux-${arch}`);
  fs.rmSync(exe, { force: true });
  fs.copyFileSync(node, exe);
  fs.chmodSync(exe, 0o755);
  // postject's ELF rewriter warns "Can't find string offset for section name '.note.100'": harmless.
  run(process.execPath, [postject, exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE]);

  const size = `${(fs.statSync(exe).size / 2 ** 20).toFixed(1)} MiB`;
  if (!native) {
    console.log(`${path.relative(root, exe)}: ${size}, from node-linux-${arch}@${SEA_NODE_VERSION} (test/e2e/arm64.spec.ts runs it under qemu)`);
    continue;
  }
  const printed = spawnSync(exe, ['--version'], { encoding: 'utf8', env: { PATH: '/nonexistent' } });
  const expected = `cmemgzip ${version}\nsingle executable, node v${SEA_NODE_VERSION}`;
  if (printed.stdout.trim() !== expected) {
    console.error(`build-sea: ${exe} --version printed ${JSON.stringify(printed.stdout + printed.stderr)}, expected ${JSON.stringify(expected)}`);
    process.exit(1);
  }
  console.log(`${path.relative(root, exe)}: ${size}, version ${version} on node ${SEA_NODE_VERSION}, runs without node on PATH`);
}
