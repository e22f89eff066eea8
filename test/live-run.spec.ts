import { spawn, spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { runningElsewhere } from '../src/probe/live-run.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));
const sleeper = (argv0: string) => {
  const c = spawn('sleep', ['30'], { argv0 });
  children.push(c);
  return c.pid!;
};
const deadPid = () => spawnSync('true').pid;

it.each([
  ['this process', () => process.pid, false],
  ['a process that has exited', deadPid, false],
  ['a live process that is not cmemgzip', () => sleeper('sleep'), false],
  ['a live cmemgzip', () => sleeper('cmemgzip'), true],
])('runningElsewhere: %s', (_name, pid, expected) => {
  expect(runningElsewhere(pid())).toBe(expected);
});
