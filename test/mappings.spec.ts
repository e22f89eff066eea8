import { expect, it } from 'vitest';
import { devOf } from '../src/probe/mappings.js';

it.each([
  ['fe', '00', 0xfe00],
  ['08', '01', 0x801],
  ['00', '2d', 0x2d],
  ['103', '02', 0x10302],
  ['00', '1ff', 0xff + 0x100 * 2 ** 12], // minor bits above 8 go to bits 20 and up
  ['1000', '00', 2 ** 44],
])('devOf(%s, %s) = %d', (major, minor, dev) => expect(devOf(major, minor)).toBe(dev));
