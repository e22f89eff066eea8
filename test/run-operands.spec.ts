import { expect, it } from 'vitest';
import { DEFAULT_OPTIONS } from '../src/plan/options.js';
import { dataOnStdout, operandsOf } from '../src/run/run-operands.js';

const o = (over = {}) => ({ ...DEFAULT_OPTIONS, ...over });
it('reads stdin when there is no operand', () => expect(operandsOf([])).toEqual(['-']));
it('keeps operands as given', () => expect(operandsOf(['a', '-'])).toEqual(['a', '-']));
it('puts data on stdout with -c', () => expect(dataOnStdout(o({ stdout: true }), ['a'])).toBe(true));
it('puts data on stdout with no operand', () => expect(dataOnStdout(o(), [])).toBe(true));
it('puts data on stdout with a - operand', () => expect(dataOnStdout(o({ decompress: true }), ['a.gz', '-'])).toBe(true));
it('keeps stdout for messages when compressing files', () => expect(dataOnStdout(o(), ['a'])).toBe(false));
it('keeps stdout for the table with -l, even on stdin', () => expect(dataOnStdout(o({ list: true, stdout: true }), [])).toBe(false));
it('keeps stdout for messages with -t', () => expect(dataOnStdout(o({ test: true }), [])).toBe(false));
