// README's first screen is for the operator at 3 a.m.; the two developer commands stay at its top; no figure there goes stale.
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const readme = fs.readFileSync(path.join(import.meta.dirname, '../README.md'), 'utf8');
const firstScreen = readme.split('\n').slice(0, 60);

it('opens with the install-and-demo and test commands, `npm test` being the test command CI runs', () => {
  const block = readme.slice(readme.indexOf('```sh\n') + 6, readme.indexOf('```', readme.indexOf('```sh\n') + 6));
  expect(block.split('\n').filter(Boolean).map((l) => l.split('#')[0].trim())).toEqual(['npm ci && npm run demo', 'npm test']);
  expect(readme.indexOf('```sh\n')).toBeLessThan(400);
});

it('its first screen says the command on a log, what to do when a process holds it, and how to get it onto a full server', () => {
  const text = firstScreen.join('\n');
  expect(text).toContain('cmemgzip /var/log/big.log');
  expect(text).toContain('--copytruncate');
  expect(text).toMatch(/\/dev\/shm\/cmemgzip/);
  expect(text).toMatch(/noexec/);
  expect(text).toContain('mount -o remount,exec /dev/shm');
  expect(text).toContain('node /dev/shm/cmemgzip.js');
  expect(text).toMatch(/RAM it takes/);
});

it('its first screen fits 120 columns', () => {
  expect(firstScreen.filter((l) => l.length > 120)).toEqual([]);
});

it('promises only what is true: a safety copy in RAM is no durable copy', () => {
  expect(readme).not.toMatch(/durable stash copy/);
  expect(firstScreen.join('\n')).toMatch(/RAM \(\/dev\/shm\), which survives a kill -9 but\s+not a power cut/);
});

it('carries no size figure of a build in Install, which would go stale (the build scripts print them)', () => {
  const install = readme.slice(readme.indexOf('## Install'), readme.indexOf('## Usage'));
  expect(install).not.toMatch(/\b\d+(\.\d+)? (KiB|MiB)\b/);
});
