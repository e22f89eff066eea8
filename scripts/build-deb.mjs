// Packs dist/cmemgzip_VERSION_ARCH.deb for each Debian arch named (default: amd64 and arm64) from the single executables, the man page, the completions, the guard's systemd units and the logrotate recipe.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { version } from './build-options.mjs';
import { SEA_NODE_VERSION } from './node-binary.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dist = (...p) => path.join(root, 'dist', ...p);
const NODE_ARCH = { amd64: 'x64', arm64: 'arm64' };
const archs = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(NODE_ARCH);
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Debian's machine-readable copyright file: ours, and what the executable carries inside it. */
const copyright = `Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: cmemgzip
Source: the cmemgzip repository

Files: *
Copyright: the cmemgzip authors
License: MIT

Files: usr/bin/cmemgzip
Comment: a Node.js single executable: the Node.js ${SEA_NODE_VERSION} runtime (MIT, with the
 licenses of the libraries it bundles, listed in Node.js's LICENSE file), and the JavaScript
 packages commander, chalk and pretty-bytes (MIT), bundled into it.
Copyright: Node.js contributors; the authors of commander, chalk and pretty-bytes
License: MIT

License: MIT
${fs.readFileSync(path.join(root, 'LICENSE'), 'utf8').trim().split('\n').map((l) => (l.trim() ? ` ${l}` : ' .')).join('\n')}
`;

for (const arch of archs) {
  const exe = dist(`cmemgzip-linux-${NODE_ARCH[arch]}`);
  if (!fs.existsSync(exe)) {
    console.error(`build-deb: ${path.relative(root, exe)} is missing: run npm run build:sea first`);
    process.exit(1);
  }
  const stage = dist('deb', arch);
  fs.rmSync(stage, { recursive: true, force: true });
  const put = (to, from, mode = 0o644) => {
    fs.mkdirSync(path.dirname(path.join(stage, to)), { recursive: true });
    fs.copyFileSync(from, path.join(stage, to));
    fs.chmodSync(path.join(stage, to), mode);
  };
  put('usr/bin/cmemgzip', exe, 0o755);
  put('usr/share/man/man1/cmemgzip.1', dist('cmemgzip.1'));
  // Debian keeps man pages gzipped; -n leaves out the name and time, so that the .deb is reproducible.
  execFileSync('gzip', ['-9nf', path.join(stage, 'usr/share/man/man1/cmemgzip.1')]);
  put('usr/share/bash-completion/completions/cmemgzip', dist('completion/cmemgzip.bash'));
  put('usr/share/zsh/vendor-completions/_cmemgzip', dist('completion/_cmemgzip'));
  // The guard's units, disabled: no maintainer script enables them; the operator does (README, man page).
  for (const unit of ['cmemgzip-guard.service', 'cmemgzip-guard.timer']) put(`usr/lib/systemd/system/${unit}`, path.join(root, 'contrib/systemd', unit));
  put('usr/share/doc/cmemgzip/examples/logrotate-full-disk.conf', path.join(root, 'contrib/logrotate/full-disk.conf'));
  fs.writeFileSync(path.join(stage, 'usr/share/doc/cmemgzip/copyright'), copyright);

  const installedKiB = Math.ceil(Number(execFileSync('du', ['-sb', path.join(stage, 'usr')], { encoding: 'utf8' }).split('\t')[0]) / 1024);
  fs.mkdirSync(path.join(stage, 'DEBIAN'));
  fs.writeFileSync(
    path.join(stage, 'DEBIAN/control'),
    `Package: cmemgzip
Version: ${version}
Architecture: ${arch}
Maintainer: cmemgzip authors <dev@cmemgzip>
Installed-Size: ${installedKiB}
Depends: libc6 (>= 2.28), libstdc++6 (>= 5.2), libgcc-s1
Section: utils
Priority: optional
Description: ${pkg.description.replace(/^./, (c) => c.toLowerCase())}
 gzip fails on a full disk: it needs room for FILE.gz before it removes FILE.
 cmemgzip compresses in memory when it must, frees the original's space and
 writes FILE.gz in gzip's own format, read back and verified before the
 original's bytes go. A single executable: it needs no Node.js installed.
`,
  );
  const deb = dist(`cmemgzip_${version}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  console.log(`${path.relative(root, deb)}: ${(fs.statSync(deb).size / 2 ** 20).toFixed(1)} MiB, installs ${(installedKiB / 1024).toFixed(1)} MiB`);
}
