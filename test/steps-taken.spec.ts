// The run's report of its steps: checked against the plan, timed, and silent outside a planned run.
import { expect, it } from 'vitest';
import type { Logger } from '../src/report/logger.js';
import { describeSteps, endSteps, startSteps, takeSteps, takenJson, type StepJson } from '../src/report/steps-taken.js';
import { reached } from '../src/steps/reached.js';
import type { Step } from '../src/plan/steps.js';

const steps = (...names: string[]): Step[] => names.map((name) => ({ name, copies: [['file']], bytes: 0 }));
function logger() {
  const lines: string[] = [];
  const log = { info: (m: string) => lines.push(m), detail: (m: string) => lines.push(m), warn: (m: string) => lines.push(`warn: ${m}`) } as unknown as Logger;
  return { log, lines };
}

it('records the steps reached, in order, and shows each with its copies', () => {
  const { log, lines } = logger();
  startSteps(steps('a', 'b'), log);
  reached('a');
  reached('b');
  expect(endSteps().map((t) => t.name)).toEqual(['a', 'b']);
  expect(lines).toEqual(['step 1/2: a; copies meanwhile: FILE', 'step 2/2: b; copies meanwhile: FILE']);
});

it('marks a step the plan did not have, and goes on matching the plan after it', () => {
  const { log, lines } = logger();
  startSteps(steps('a', 'b'), log);
  reached('a');
  reached('x');
  reached('b');
  expect(endSteps()).toMatchObject([{ name: 'a' }, { name: 'x', drift: 'not in the plan here' }, { name: 'b', at: 1 }]);
  expect(lines[1]).toBe('warn: step "x" was not the next planned step ("b"); please report this');
});

it('marks a planned step the run passed over', () => {
  const { log } = logger();
  startSteps(steps('a', 'b', 'c'), log);
  reached('a');
  reached('c');
  expect(endSteps().map((t) => [t.name, t.drift])).toEqual([['a', undefined], ['b', 'planned, passed over'], ['c', undefined]]);
});

const blocks: Step[] = [{ name: 'blocks 1 to 0', copies: [['file', 'parts']], bytes: 0, repeat: { from: 1, to: 0, each: ['read', 'cut'] } }, ...steps('end')];

it('counts the block steps inside a step that stands for several, as one step', () => {
  const { log } = logger();
  startSteps(blocks, log);
  ['block 1: read and compress', 'block 1: cut it off FILE, fsync', 'block 0: read and compress', 'block 0: cut it off FILE, fsync', 'end'].forEach(reached);
  expect(endSteps().map((t) => [t.name, t.drift])).toEqual([['blocks 1 to 0', undefined], ['end', undefined]]);
});

it('says so when a step for several blocks is left before its last block', () => {
  const { log } = logger();
  startSteps(blocks, log);
  ['block 1: read and compress', 'block 1: cut it off FILE, fsync', 'end'].forEach(reached);
  expect(endSteps()[0].drift).toBe('left after 2 of its 4 block steps');
});

it('does nothing outside a planned run (a resume, -d)', () => {
  reached('a');
  expect(endSteps()).toEqual([]);
});

it('keeps the time of a step done before the plan (the read) and times the others', async () => {
  const { log } = logger();
  startSteps(steps('read', 'wait'), log, [{ name: 'read', ms: 1234 }]);
  reached('wait');
  await new Promise((r) => setTimeout(r, 30));
  const [read, wait] = endSteps();
  expect(read.ms).toBe(1234);
  expect(wait.ms).toBeGreaterThanOrEqual(25);
});

it('takeSteps hands back the steps taken even when the run fails', async () => {
  const into: { steps?: StepJson[] } = {};
  await expect(takeSteps(steps('a', 'b'), logger().log, [], into, async () => (reached('a'), Promise.reject(new Error('EIO'))))).rejects.toThrow('EIO');
  expect(into.steps).toEqual([{ name: 'a', copies: ['file'], ms: expect.any(Number) }]);
});

it('takenJson gives a step outside the plan no copies', () => expect(takenJson(steps('a'), [{ name: 'x', ms: 1, drift: 'not in the plan here' }])).toEqual([{ name: 'x', copies: [], ms: 1, drift: 'not in the plan here' }]));

it('shortens a long list, keeping its start and end', () => {
  const lines = describeSteps(steps(...Array.from({ length: 100 }, (_, i) => `s${i}`)), 10);
  expect(lines).toHaveLength(11);
  expect(lines[4]).toBe('  ... 90 more steps (--json lists every one) ...');
  expect(lines.at(-1)).toBe('  100. s99 [FILE]');
});
