// The one executor against a fake job: steps run in order, a failure at each index undoes in reverse, a commit ends undoing.
import { expect, it } from 'vitest';
import type { Logger } from '../src/report/logger.js';
import { execute, type Execution } from '../src/run/executor.js';
import { act, type Action } from '../src/strategies/action.js';
import type { StepJson } from '../src/report/steps-taken.js';
import type { Copy } from '../src/plan/steps.js';

interface Fake {
  did: string[];
  failAt?: string;
  undoFails?: string;
}

function logger() {
  const lines: string[] = [];
  const log = { chatty: true, info: (m: string) => lines.push(m), detail: (m: string) => lines.push(m), warn: (m: string) => lines.push(`warn: ${m}`), error: (m: string) => lines.push(`error: ${m}`) } as unknown as Logger;
  return { log, lines };
}

const step = (name: string, extra: Partial<Action<Fake>> = {}, copies: Copy[] = [['file']]): Action<Fake> =>
  act({ name, copies, bytes: 0 }, {
    run: (c) => {
      if (c.failAt === name) throw new Error(`${name} failed`);
      c.did.push(name);
    },
    undo: (c) => {
      if (c.undoFails === name) throw new Error(`undo ${name} failed`);
      c.did.push(`undo ${name}`);
    },
    ...extra,
  });

const list = () => [step('a'), step('b', {}, [['file'], ['stash']]), step('c', { commits: true }), step('d', { undo: undefined })];

async function run(ctx: Fake, more: Partial<Execution<Fake>> = {}) {
  const { log, lines } = logger();
  const into: { steps?: StepJson[] } = {};
  const result = await execute({ steps: list(), ctx, log, into, ...more }).then(
    () => 'ok',
    (e: Error) => e.message,
  );
  return { result, lines, taken: into.steps!.map((s) => s.name) };
}

it('runs every step in order and reports each', async () => {
  const ctx: Fake = { did: [] };
  const { result, lines, taken } = await run(ctx);
  expect([result, ctx.did, taken]).toEqual(['ok', ['a', 'b', 'c', 'd'], ['a', 'b', 'c', 'd']]);
  expect(lines[0]).toBe('step 1/4: a; copies meanwhile: FILE');
});

it.each([
  ['a', ['undo a']],
  ['b', ['a', 'undo b', 'undo a']],
  ['c', ['a', 'b', 'undo c', 'undo b', 'undo a']],
  ['d', ['a', 'b', 'c']],
])('a failure at %s undoes the steps begun since the last commit, in reverse', async (failAt, did) => {
  const ctx: Fake = { did: [], failAt };
  const { result } = await run(ctx);
  expect([result, ctx.did]).toEqual([`${failAt} failed`, did]);
});

it('says where the bytes are once undone, never counting memory', async () => {
  const ctx: Fake = { did: [], failAt: 'b' };
  const { lines } = await run(ctx);
  expect(lines.at(-1)).toBe('stopped at step 2/4 (b); undone back to before "a"; complete copies of FILE\'s bytes now: FILE');
});

it('gives the leftovers error when an undo fails or a step had committed, the cause otherwise', async () => {
  const leftBehind = (e: unknown) => new Error(`left: ${(e as Error).message}`);
  expect((await run({ did: [], failAt: 'b', undoFails: 'a' }, { leftBehind })).result).toBe('left: b failed');
  expect((await run({ did: [], failAt: 'd' }, { leftBehind })).result).toBe('left: d failed');
  expect((await run({ did: [], failAt: 'b' }, { leftBehind })).result).toBe('b failed');
});

it('checks a step\'s facts before it acts', async () => {
  const ctx: Fake = { did: [] };
  const steps = [step('a'), step('b', { check: () => { throw new Error('b changed'); } })];
  const { log } = logger();
  const err = await execute({ steps, ctx, log, into: {} }).catch((e: Error) => e.message);
  expect([err, ctx.did]).toEqual(['b changed', ['a', 'undo a']]);
});

it('starts after the steps done before it, and runs a repeated step\'s blocks', async () => {
  const ctx: Fake = { did: [] };
  const repeated = act<Fake>({ name: 'blocks 1 to 0', copies: [['file']], bytes: 0, repeat: { from: 1, to: 0, each: ['read'] } }, { each: () => [step('block 1'), step('block 0')] });
  const { log } = logger();
  const into: { steps?: StepJson[] } = {};
  await execute({ steps: [{ name: 'read', copies: [['file']], bytes: 0 }, repeated, step('z')], ctx, log, into, done: [{ name: 'read', ms: 3 }] });
  expect([ctx.did, into.steps!.map((s) => s.name)]).toEqual([['block 1', 'block 0', 'z'], ['read', 'blocks 1 to 0', 'z']]);
});

it('keeps the time of a step done before it, times the others, and hands back the steps taken when a step fails', async () => {
  const { log } = logger();
  const into: { steps?: StepJson[] } = {};
  const wait = act<Fake>({ name: 'wait', copies: [['file']], bytes: 0 }, { run: () => new Promise((r) => setTimeout(r, 30)) });
  await expect(execute({ steps: [{ name: 'read', copies: [['file']], bytes: 0 }, wait, step('x')], ctx: { did: [], failAt: 'x' }, log, into, done: [{ name: 'read', ms: 1234 }] })).rejects.toThrow('x failed');
  const [read, waited, x] = into.steps!;
  expect([read.ms, waited.ms! >= 25, x.name]).toEqual([1234, true, 'x']);
});
