// Bundles the CLI into one file, dist/cmemgzip.js, that runs with `node` alone (no node_modules).
import { build } from 'esbuild';
import { common } from './build-options.mjs';

await build({
  ...common,
  outfile: 'dist/cmemgzip.js',
  format: 'esm',
  // commander is CommonJS; its require() calls need a real require inside an ES module.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cmemCreateRequire } from 'node:module';\nconst require = __cmemCreateRequire(import.meta.url);" },
});
