// open-files: the limit on open descriptors as /proc/self/limits gives it; Infinity when it says none or cannot be read.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { openFilesLimit } from '../src/probe/open-files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-limits-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const limits = (text: string) => {
  const file = path.join(dir, `limits-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, text);
  return file;
};
const HEAD = 'Limit                     Soft Limit           Hard Limit           Units     \n';

it('reads the soft limit on open files', () => expect(openFilesLimit(limits(`${HEAD}Max open files            1024                 524288               files     \n`))).toBe(1024));
it('takes unlimited as no bound', () => expect(openFilesLimit(limits(`${HEAD}Max open files            unlimited            unlimited            files     \n`))).toBe(Infinity));
it('takes a missing file as no bound', () => expect(openFilesLimit(path.join(dir, 'none'))).toBe(Infinity));
it('reads this process own', () => expect(openFilesLimit()).toBeGreaterThan(64));
