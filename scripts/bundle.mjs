// Bundles the CLI into one file, dist/cmemgzip.js, that runs with `node` alone (no node_modules).
import { build } from 'esbuild';
import { common } from './build-options.mjs';

await build({
  ...common,
  outfile: 'dist/cmemgzip.js',
  // CommonJS, not an ES module: Node's ES module loader reads files on libuv's thread pool, which
  // starts the pool at its default size before our code can size it to the cores.
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
});
