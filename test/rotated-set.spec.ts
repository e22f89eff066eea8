// isActiveLog(): which names of a folder are the active log of a rotated set.
import { expect, it } from 'vitest';
import { isActiveLog } from '../src/plan/rotated-set.js';

const cases: [string, string[], boolean][] = [
  ['app.log', ['app.log', 'app.log.1'], true],
  ['app.log', ['app.log', 'app.log.2.gz'], true],
  ['app.log', ['app.log', 'app.log-20260101'], true],
  ['app.log', ['app.log', 'app.log-20260101.gz'], true],
  ['app.log', ['app.log', 'app.log.2026-01-01'], true],
  ['app.log', ['app.log'], false],
  ['app.log', ['app.log', 'app.log.gz'], false],
  ['app.log', ['app.log', 'app.log.bak'], false],
  ['app.log', ['app.log', 'app.log-old'], false],
  ['app.log.1', ['app.log', 'app.log.1'], false],
  ['app.log.1', ['app.log.1', 'app.log.10'], false],
];

it.each(cases)('%s among %j: active %s', (base, siblings, active) => {
  expect(isActiveLog(base, siblings)).toBe(active);
});
