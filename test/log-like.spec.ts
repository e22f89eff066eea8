import { expect, it } from 'vitest';
import { isText, NOT_A_LOG, notALog } from '../src/plan/log-like.js';

it.each([
  ['app.log', false, undefined],
  ['app.log.3', false, undefined],
  ['nohup.out', false, undefined],
  ['syslog', false, undefined],
  ['messages.1', false, undefined],
  ['mysqld-bin.000042', false, NOT_A_LOG],
  ['disk.qcow2', false, NOT_A_LOG],
  ['notes', true, undefined],
  ['app.logger', false, NOT_A_LOG],
])('notALog(%s, text: %s)', (base, text, why) => expect(notALog(base, text)).toBe(why));

it.each([
  [Buffer.from('2026-01-01 INFO started\n\tat x\r\n\x1b[31mred\x1b[0m\n'), true],
  [Buffer.from('héllo wörld, UTF-8 is text\n'), true],
  [Buffer.alloc(1024), false],
  [Buffer.from([0x41, 0x42, 0x00, 0x43]), false],
  [Buffer.from('\x01\x02\x03\x04abcdefgh'), false],
  [Buffer.alloc(0), false],
])('isText(%j) = %s', (head, text) => expect(isText(head)).toBe(text));
