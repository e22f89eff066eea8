import { expect, it } from 'vitest';
import { describeHolder, heldOpenError, nulHoleWarning } from '../src/plan/held-open.js';
import type { Holder } from '../src/probe/holder.js';

const holder = (over: Partial<Holder> = {}): Holder => ({ pid: 1234, command: 'apache2', fd: 7, writes: true, appends: true, ...over });

it.each([
  [holder(), 'PID 1234 (apache2) fd 7, writing with O_APPEND'],
  [holder({ appends: false }), 'PID 1234 (apache2) fd 7, writing WITHOUT O_APPEND'],
  [holder({ writes: false, appends: false }), 'PID 1234 (apache2) fd 7, reading'],
])('describeHolder(%j) = %j', (h, text) => expect(describeHolder(h)).toBe(text));

it.each([
  [[holder()], undefined],
  [[holder({ writes: false, appends: false })], undefined],
  [[holder(), holder({ pid: 9, command: 'java', fd: 3, appends: false })], /^PID 9 \(java\) fd 3 writes to \/var\/log\/a\.log without O_APPEND.*sparse hole of NUL bytes.*tr -d/],
])('nulHoleWarning for %j matches %s', (holders, expected) => {
  const text = nulHoleWarning('/var/log/a.log', holders);
  if (expected === undefined) expect(text).toBeUndefined();
  else expect(text).toMatch(expected);
});

it.each([
  [[holder()], false],
  [[holder({ appends: false })], true],
])('heldOpenError names every holder and both ways forward (hole mentioned: %s)', (holders, hole) => {
  const e = heldOpenError('/var/log/a.log', [...holders, holder({ pid: 5, command: 'tail', fd: 3, writes: false, appends: false })]);
  expect(e.code).toBe('HELD_OPEN');
  expect(e.message).toContain(`${describeHolder(holders[0])}; PID 5 (tail) fd 3, reading`);
  expect(e.hint).toMatch(/stop \(or restart\) that service.*--copytruncate/);
  expect(e.hint!.includes('NUL bytes')).toBe(hole);
});
