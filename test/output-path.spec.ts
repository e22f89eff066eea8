// Where the .gz goes: beside, into an -o folder, or to an -o name.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { exists, outputPathFor } from '../src/run/output-path.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-output-path-'));
fs.mkdirSync(path.join(dir, 'out'));
fs.writeFileSync(path.join(dir, 'taken.gz'), '');
fs.symlinkSync(path.join(dir, 'nowhere'), path.join(dir, 'dangling'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const at = (p: string) => path.join(dir, p);

it.each([
  ['beside the file', at('logs/app.log'), {}, at('logs/app.log.gz')],
  ['with -S', at('app.log'), { suffix: '.z' }, at('app.log.z')],
  ['into an -o folder', at('logs/app.log'), { output: at('out') }, at('out/app.log.gz')],
  ['into an -o folder with a trailing slash', at('app.log'), { output: `${at('out')}/` }, at('out/app.log.gz')],
  ['into an -o folder with -S', at('app.log'), { output: at('out'), suffix: '.z' }, at('out/app.log.z')],
  ['to an -o file name', at('app.log'), { output: at('out/renamed.gz') }, at('out/renamed.gz')],
  ['to an existing -o file', at('app.log'), { output: at('taken.gz') }, at('taken.gz')],
])('puts the .gz %s', (_what, file, opts, out) => expect(outputPathFor(file, { suffix: '.gz', ...opts })).toBe(out));

it('resolves relative paths against the working directory', () => {
  const rel = path.relative(process.cwd(), at('app.log'));
  expect(outputPathFor(rel, { suffix: '.gz' })).toBe(at('app.log.gz'));
  expect(outputPathFor('app.log', { suffix: '.gz', output: path.relative(process.cwd(), at('out')) })).toBe(at('out/app.log.gz'));
});

it.each([
  ['a file', 'taken.gz', true],
  ['a folder', 'out', true],
  ['a dangling symlink', 'dangling', true],
  ['nothing', 'missing.gz', false],
])('exists(%s: %s) is %s', (_what, name, yes) => expect(exists(at(name))).toBe(yes));
