import { expect, it } from 'vitest';
import { compressionOf } from '../src/probe/compression-magic.js';

const b = (...bytes: number[]) => Buffer.from(bytes);

it.each([
  [b(0x1f, 0x8b, 0x08, 0, 0, 0), 'gzip'],
  [b(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00), 'xz'],
  [b(0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58), 'zstd'],
  [Buffer.from('BZh91AY'), 'bzip2'],
  [Buffer.from('BZh0'), undefined],
  [Buffer.from('BZhx'), undefined],
  [b(0xfd, 0x37, 0x7a, 0x58, 0x5a), undefined],
  [b(0x1f), undefined],
  [b(), undefined],
  [Buffer.from('2026-01-01 INFO'), undefined],
  [b(0x8b, 0x1f), undefined],
])('compressionOf(%s) = %s', (head, format) => expect(compressionOf(head)).toBe(format));

it.each([
  [b(0x04, 0x22, 0x4d, 0x18, 0x64, 0x40), 'lz4'],
  [b(0x02, 0x21, 0x4c, 0x18), 'lz4'],
  [Buffer.from('LZIP\x01'), 'lzip'],
  [b(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00), 'zip'],
  [b(0x50, 0x4b, 0x05, 0x06, 0, 0), 'zip'],
  [b(0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c), '7z'],
  [b(0x1f, 0x9d, 0x90), 'compress'],
  [Buffer.from('PK is a name'), undefined],
])('compressionOf(%s) = %s, the formats beyond gzip', (head, format) => expect(compressionOf(head)).toBe(format));
