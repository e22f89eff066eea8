// Where an operand's .gz goes: beside it, into -o's folder, or to -o's file name.
import fs from 'node:fs';
import path from 'node:path';
import type { Options } from '../plan/options.js';
import { at } from '../fs/pinned-folders.js';
import { fsPath } from '../fs/raw-names.js';

export function outputPathFor(file: string, opts: Pick<Options, 'output' | 'suffix'>): string {
  const base = `${path.basename(file)}${opts.suffix}`;
  if (!opts.output) return `${path.resolve(file)}${opts.suffix}`;
  const out = path.resolve(opts.output);
  const isDir = fs.statSync(fsPath(out), { throwIfNoEntry: false })?.isDirectory() ?? false;
  return isDir ? path.join(out, base) : out;
}

export const exists = (file: string): boolean => fs.lstatSync(at(file), { throwIfNoEntry: false }) !== undefined;
