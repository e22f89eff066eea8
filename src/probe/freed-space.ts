// What a run really freed on FILE's filesystem: allocated blocks (st_blocks) before and after, not sizes or estimates.
import fs from 'node:fs';
import { fsPath } from '../fs/raw-names.js';

/** Bytes a path's blocks take on disk, 0 when it is gone: holes and the last block's slack as the filesystem counts them. */
export function allocatedBytes(file: string): number {
  const st = fs.lstatSync(fsPath(file), { throwIfNoEntry: false });
  return st ? st.blocks * 512 : 0;
}

/** The blocks the input held before, less what it (if still there) and the output (if on the input's filesystem) hold now. */
export function freedBytes(input: { path: string; dev: number }, allocatedBefore: number, output: string): number {
  const out = fs.lstatSync(fsPath(output), { throwIfNoEntry: false });
  const outputHere = out && out.dev === input.dev ? out.blocks * 512 : 0;
  return allocatedBefore - allocatedBytes(input.path) - outputHere;
}
