import { expect, it } from 'vitest';
import { isProcFd } from '../src/probe/proc-fd.js';

it.each([
  ['/proc/1234/fd/7', true],
  ['/proc/1/fd/0', true],
  ['/proc/self/fd/7', false],
  ['/proc/1234/fd/', false],
  ['/proc/1234/fd/7/', false],
  ['proc/1234/fd/7', false],
  ['/proc/1234/fdinfo/7', false],
  ['/var/log/proc/1234/fd/7', false],
])('isProcFd(%j) = %s', (operand, yes) => expect(isProcFd(operand)).toBe(yes));
