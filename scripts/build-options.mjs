// esbuild options shared by the one-file bundle and the single executable's CommonJS script.
import { readFileSync } from 'node:fs';

export const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/**
 * Node's built-in modules used as they are. By default esbuild wraps each `import fs from 'node:fs'`
 * in __toESM, which copies every property of the module, once per importing file: 81 copies, ~6 ms
 * of every start. Here each built-in is one small module whose default export is the module itself
 * and whose named exports are read from it (unused ones are tree-shaken).
 */
const builtinsAsIs = {
  name: 'builtins-as-is',
  setup(build) {
    // require() calls (in dependencies written as CommonJS) get the module as it is already.
    build.onResolve({ filter: /^node:/ }, (args) =>
      args.namespace === 'builtin' || args.kind !== 'import-statement' ? { path: args.path, external: true } : { path: args.path, namespace: 'builtin' },
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin' }, async (args) => {
      const names = Object.keys(await import(args.path)).filter((n) => n !== 'default' && /^[A-Za-z_$][\w$]*$/.test(n));
      const named = names.map((n) => `export const ${n} = /* @__PURE__ */ (() => m.${n})();`);
      return { contents: [`const m = require(${JSON.stringify(args.path)});`, 'export default m;', ...named].join('\n'), loader: 'js' };
    });
  },
};

export const common = {
  entryPoints: ['src/cli/index.ts'],
  bundle: true,
  platform: 'node',
  target: 'node22',
  define: { __VERSION__: JSON.stringify(version) },
  plugins: [builtinsAsIs],
  logLevel: 'warning',
};
