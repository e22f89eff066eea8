// The bundle on each Node line package.json's engines supports (scripts/node-binary.mjs names a release of each), and --version naming the runtime.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, fullDiskRoundTrip, mountSkipReason, PACKAGE_VERSION, ROOT, run, warnSkip } from './helpers.js';

const versions = (): string[] => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', "import('./scripts/node-binary.mjs').then((m) => console.log(m.SUPPORTED_NODE_VERSIONS.join(' ')))"], { cwd: ROOT, encoding: 'utf8' });
  return r.stdout.trim().split(' ');
};

/** The official binary of a release, fetched through npm once (cached in dist/node), or why not. */
function nodeOf(version: string): string | { skip: string } {
  const r = spawnSync(process.execPath, ['scripts/node-binary.mjs', process.arch, version], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0) return { skip: `node-linux-${process.arch}@${version} CANNOT BE FETCHED HERE: the bundle on it is NOT TESTED (${r.stderr.trim().split('\n').at(-1)})` };
  return r.stdout.trim();
}

it('package.json supports from Node 22 on, and names no line that reached its end of life', () => {
  const { engines } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(engines.node).toBe('>=22');
  expect(versions().map((v) => v.split('.')[0])).toEqual(['22', '24']);
});

it('--version names the runtime on its second line', () => {
  const r = run(['--version']);
  expect(r.code, r.stderr).toBe(0);
  const runtime = CLI.endsWith('.js') ? `node ${process.version}` : `single executable, node v${versions().at(-1)}`;
  expect(r.stdout).toBe(`cmemgzip ${PACKAGE_VERSION}\n${runtime}\n`);
});

describe.skipIf(warnSkip(mountSkipReason() ?? (CLI.endsWith('.js') ? undefined : 'CMEMGZIP_BIN is no bundle: the runtimes spec is SKIPPED')))('the bundle on each supported line', () => {
  for (const version of versions()) {
    it(`node ${version}: --version says so, and a log on a full disk round-trips`, ({ skip }) => {
      const node = nodeOf(version);
      if (typeof node !== 'string') {
        warnSkip(node.skip);
        return skip(node.skip);
      }
      expect(run(['--version'], { node }).stdout).toBe(`cmemgzip ${PACKAGE_VERSION}\nnode v${version}\n`);
      fullDiskRoundTrip(CLI, { node });
    });
  }
});
