// Fabricated facts for the plan's specs: an ext4 filesystem of 1 GiB with nothing free, and a 100 MiB log on it.
import type { FileFacts } from '../src/probe/file.js';
import type { FsFacts } from '../src/probe/filesystem.js';

export const MiB = 2 ** 20;

export const fsFacts = (over: Partial<FsFacts> = {}): FsFacts => ({
  type: 'ext4', mountPoint: '/var', dev: 1, blockSize: 4096, totalBytes: 1024 * MiB, freeBytes: 0,
  totalInodes: 1000, freeInodes: 100, copyOnWrite: false, ramBacked: false, ...over,
});

export const file: FileFacts = {
  path: '/var/log/app.log', dir: '/var/log', base: 'app.log', kind: 'file', dev: 1, ino: 12, birth: '0', size: 100 * MiB, allocated: 100 * MiB, nlink: 1,
  uid: 0, gid: 0, mode: 0o100644, atimeMs: 0, mtimeMs: 0, mtimeNs: 0n, ctimeNs: 0n,
};
