// Writes dist/cmemgzip.1 and the bash and zsh completions in dist/completion/, rendered from src/cli/program.ts's option definitions.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';
import { common, version } from './build-options.mjs';

const root = path.resolve(import.meta.dirname, '..');
const dist = (...p) => path.join(root, 'dist', ...p);
const renderer = dist('docs/render.cjs');

await build({ ...common, entryPoints: ['src/docs/index.ts'], outfile: renderer, format: 'cjs' });
const { commandLine, manPage, bashCompletion, zshCompletion } = createRequire(import.meta.url)(renderer);

// SOURCE_DATE_EPOCH, where a packager sets it, makes the page's date (and so the .deb) reproducible.
const epoch = process.env.SOURCE_DATE_EPOCH ? Number(process.env.SOURCE_DATE_EPOCH) * 1000 : Date.now();
fs.writeFileSync(dist('cmemgzip.1'), manPage(commandLine(), version, new Date(epoch).toISOString().slice(0, 10)));
fs.mkdirSync(dist('completion'), { recursive: true });
fs.writeFileSync(dist('completion/cmemgzip.bash'), bashCompletion(commandLine()));
fs.writeFileSync(dist('completion/_cmemgzip'), zshCompletion(commandLine()));
