import { expect, it } from 'vitest';
import { deletedName } from '../src/probe/deleted-open.js';

it.each([
  ['/var/log/access.log (deleted)', '/var/log/access.log'],
  ['/tmp/a b (deleted) (deleted)', '/tmp/a b (deleted)'],
  ['/var/log/access.log', undefined],
  ['/memfd:jit (deleted)', undefined],
  ['pipe:[1234]', undefined],
  ['anon_inode:[eventfd]', undefined],
  ['socket:[99] (deleted)', undefined],
])('deletedName(%j) = %j', (target, name) => expect(deletedName(target)).toBe(name));
