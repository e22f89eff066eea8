// Tells an already-compressed file by its first bytes (gzip, xz, zstd, bzip2), whatever its name says.
import fs from 'node:fs';

const MAGICS: [string, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]], // "BZh", then the block size digit
];

export function compressionOf(head: Buffer): string | undefined {
  for (const [name, magic] of MAGICS)
    if (head.length >= magic.length && magic.every((b, i) => head[i] === b))
      if (name !== 'bzip2' || (head[3] >= 0x31 && head[3] <= 0x39)) return name;
  return undefined;
}

/** The format of the file at fd, from its first bytes. */
export function compressionOfFd(fd: number): string | undefined {
  const head = Buffer.alloc(6);
  const n = fs.readSync(fd, head, 0, head.length, 0);
  return compressionOf(head.subarray(0, n));
}
