// Checks that a .gz decompresses to content of the expected length and CRC-32 (no original at hand).
import { CmemError } from '../errors.js';
import { testGzip, type Content } from './test-gzip.js';

export async function verifyContent(file: string, expected: Content): Promise<void> {
  const got = await testGzip(file);
  if (got.size !== expected.size || got.crc !== expected.crc)
    throw new CmemError(
      'VERIFY_FAILED',
      `verification of ${file} failed: it holds ${got.size} bytes with CRC-32 ${hex(got.crc)}, expected ${expected.size} bytes with ${hex(expected.crc)}`,
    );
}

export const hex = (crc: number) => (crc >>> 0).toString(16).padStart(8, '0');
