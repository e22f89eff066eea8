import { spawn, spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';
import { bootId, processStart, runningElsewhere, thisRun } from '../src/probe/live-run.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => children.splice(0).forEach((c) => c.kill('SIGKILL')));
const sleeper = (argv0: string) => {
  const c = spawn('sleep', ['30'], { argv0 });
  children.push(c);
  return c.pid!;
};
const deadPid = () => spawnSync('true').pid;
const owner = (pid: number) => ({ pid, pidStart: processStart(pid), boot: bootId() });

it.each([
  ['this process', () => thisRun(), false],
  ['a process that has exited', () => ({ pid: deadPid() }), false],
  ['a live process that is not cmemgzip', () => owner(sleeper('sleep')), false],
  ['a live cmemgzip', () => owner(sleeper('cmemgzip')), true],
  ['a live cmemgzip recorded without its start (an older record)', () => ({ pid: sleeper('cmemgzip') }), true],
  ['a reused PID: a live cmemgzip that started at another moment', () => ({ ...owner(sleeper('cmemgzip')), pidStart: '1' }), false],
  ['a PID of another boot', () => ({ ...owner(sleeper('cmemgzip')), boot: '00000000-0000-0000-0000-000000000000' }), false],
])('runningElsewhere: %s', (_name, who, expected) => {
  expect(runningElsewhere(who())).toBe(expected);
});

it('processStart reads field 22 after a command with spaces and parentheses', () => {
  const pid = sleeper('a b) c');
  expect(processStart(pid)).toMatch(/^\d+$/);
  expect(processStart(pid)).toBe(processStart(pid));
});
