import { expect, it } from 'vitest';
import { decompressedPath, safeHeaderName, strippedName } from '../src/run/decompress-path.js';

it.each([
  ['app.log.gz', '.gz', 'app.log'],
  ['a.GZ', '.gz', 'a'],
  ['a.Z', '.gz', 'a'],
  ['a.z', '.gz', 'a'],
  ['a-gz', '.gz', 'a'],
  ['a-z', '.gz', 'a'],
  ['a_z', '.gz', 'a'],
  ['backup.tgz', '.gz', 'backup.tar'],
  ['backup.taz', '.gz', 'backup.tar'],
  ['x.zz', '.zz', 'x'],
  ['x.gz', '.zz', 'x'],
  ['app.log', '.gz', undefined],
  ['fgz', '.gz', undefined],
  ['.gz', '.gz', undefined],
])('strippedName(%j, %j) is %j', (base, suffix, expected) => expect(strippedName(base, suffix)).toBe(expected));

it.each([
  ['app.log', 'app.log'],
  ['../evil', 'evil'],
  ['/etc/x', 'x'],
  ['a/b/../../c', 'c'],
  ['dir/', undefined],
  ['..', undefined],
  ['.', undefined],
  ['x/..', undefined],
  ['', undefined],
  [undefined, undefined],
  ['..hidden', '..hidden'],
])('safeHeaderName(%j) is %j', (name, expected) => expect(safeHeaderName(name)).toBe(expected));

it.each([
  ['/d/a.gz', 'a', undefined, false, '/d/a'],
  ['/d/a.gz', 'b', undefined, false, '/d/b'],
  ['/d/a.gz', 'a', '/out', true, '/out/a'],
  ['/d/a.gz', 'a', '/out/file', false, '/out/file'],
])('decompressedPath(%j, %j, %j) with folder=%j is %j', (gz, name, output, isDir, expected) =>
  expect(decompressedPath(gz, name, output, () => isDir)).toBe(expected));
