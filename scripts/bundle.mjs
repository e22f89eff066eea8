// Bundles the CLI into one file, dist/cmemgzip.js, that runs with `node` alone (no node_modules).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/index.ts'],
  outfile: 'dist/cmemgzip.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  define: { __VERSION__: JSON.stringify(version) },
  // commander is CommonJS; its require() calls need a real require inside an ES module.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cmemCreateRequire } from 'node:module';\nconst require = __cmemCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
