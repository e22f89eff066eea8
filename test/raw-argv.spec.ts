// rawArgs: the arguments Node could not decode, taken back from the bytes of a (fake) /proc/self/cmdline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { rawArgs } from '../src/cli/raw-argv.js';
import { encode } from '../src/fs/raw-names.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-argv-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cmdline = (...args: Buffer[]) => {
  const file = path.join(dir, `cmdline-${args.length}`);
  fs.writeFileSync(file, Buffer.concat(args.flatMap((a) => [a, Buffer.from([0])])));
  return file;
};

it('an argument that is not UTF-8 becomes its bytes (surrogateescape); the others stay as Node gave them', () => {
  const bad = Buffer.concat([Buffer.from('/var/log/app'), Buffer.from([0xff, 0xfe]), Buffer.from('.log')]);
  const other = Buffer.concat([Buffer.from('/var/log/app'), Buffer.from([0xfe, 0xff]), Buffer.from('.log')]);
  const file = cmdline(Buffer.from('node'), Buffer.from('--max-old-space-size=99'), Buffer.from('cmemgzip.js'), Buffer.from('-v'), Buffer.from('/var/log/é.log'), bad, other);
  const args = rawArgs(['-v', '/var/log/é.log', bad.toString(), other.toString()], file);
  expect(args.slice(0, 2)).toEqual(['-v', '/var/log/é.log']);
  expect(encode(args[2])).toEqual(bad);
  expect(encode(args[3])).toEqual(other); // both read "app\uFFFD\uFFFD.log" to Node: told apart by position
});

it('a name that really holds U+FFFD is UTF-8, and kept', () => expect(rawArgs(['a\uFFFD.log'], cmdline(Buffer.from('node'), Buffer.from('a\uFFFD.log')))).toEqual(['a\uFFFD.log']));

it('no /proc: the arguments as given, nothing thrown', () => expect(rawArgs(['x'], path.join(dir, 'missing'))).toEqual(['x']));

it('this very process: its own arguments are UTF-8, kept', () => expect(rawArgs(process.argv.slice(2))).toEqual(process.argv.slice(2)));
