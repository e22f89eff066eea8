// Tells an already-compressed file by its first bytes (gzip, xz, zstd, bzip2, lz4, lzip, zip, 7z...), whatever its name says.
import fs from 'node:fs';

const MAGICS: [string, number[]][] = [
  ['gzip', [0x1f, 0x8b]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['bzip2', [0x42, 0x5a, 0x68]], // "BZh", then the block size digit
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['lz4', [0x02, 0x21, 0x4c, 0x18]], // lz4's legacy frame (lz4 -l, the Linux kernel's)
  ['lzip', [0x4c, 0x5a, 0x49, 0x50]], // "LZIP"
  ['zip', [0x50, 0x4b, 0x03, 0x04]], // "PK": a local file header
  ['zip', [0x50, 0x4b, 0x05, 0x06]], // an empty archive's end record
  ['7z', [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]],
  ['compress', [0x1f, 0x9d]], // .Z (LZW)
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
