// A job's own logger when jobs run side by side: its lines held until its turn, then written in order.
import { Chalk } from 'chalk';
import { expect, it, vi } from 'vitest';
import { heldLogger } from '../src/report/held-logger.js';
import type { Logger } from '../src/report/logger.js';

const under = (chatty: boolean) => ({ chalk: new Chalk({ level: 0 }), chatty, info: vi.fn(), detail: vi.fn(), success: vi.fn(), warn: vi.fn(), error: vi.fn() }) satisfies Logger;

it('holds every line until release, then writes them in order and through from then on', () => {
  const to = under(true);
  const log = heldLogger(to);
  log.info('a');
  log.warn('b');
  log.success('c');
  expect(to.info).not.toHaveBeenCalled();
  log.release();
  expect([to.info.mock.calls, to.warn.mock.calls, to.success.mock.calls]).toEqual([[['a']], [['b']], [['c']]]);
  log.info('d');
  expect(to.info).toHaveBeenLastCalledWith('d');
});

it('holds no info, detail or success line that the logger underneath drops (-q, --json), and still its warnings and errors', () => {
  const to = under(false);
  const log = heldLogger(to);
  log.info('a');
  log.detail('b');
  log.success('c');
  log.warn('w');
  log.error('e');
  log.release();
  expect([to.info, to.detail, to.success].map((f) => f.mock.calls.length)).toEqual([0, 0, 0]);
  expect([to.warn.mock.calls, to.error.mock.calls]).toEqual([[['w']], [['e']]]);
});
