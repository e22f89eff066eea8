// undecodableArgs: which arguments Node could not decode, found from the bytes of a (fake) /proc/self/cmdline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { undecodableArgs } from '../src/cli/raw-argv.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-argv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cmdline = (...args: Buffer[]) => {
  const file = path.join(dir, `cmdline-${args.length}`);
  fs.writeFileSync(file, Buffer.concat(args.flatMap((a) => [a, Buffer.from([0])])));
  return file;
};

it('maps the string Node made of a non-UTF-8 argument to its bytes, and leaves the others out', () => {
  const bad = Buffer.concat([Buffer.from('/var/log/app'), Buffer.from([0xff, 0xfe]), Buffer.from('.log')]);
  const found = undecodableArgs(cmdline(Buffer.from('node'), Buffer.from('cmemgzip.js'), Buffer.from('-v'), Buffer.from('/var/log/é.log'), bad));
  expect([...found.keys()]).toEqual([bad.toString()]);
  expect(found.get('/var/log/app\uFFFD\uFFFD.log')).toEqual(bad);
});

it('a name that really holds U+FFFD is UTF-8, and not reported', () =>
  expect(undecodableArgs(cmdline(Buffer.from('node'), Buffer.from('a\uFFFD.log'))).size).toBe(0));

it('no /proc: nothing found, nothing thrown', () => expect(undecodableArgs(path.join(dir, 'missing')).size).toBe(0));

it('this very process: its own arguments are UTF-8', () => expect(undecodableArgs().size).toBe(0));
