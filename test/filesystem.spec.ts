// mountOf on fabricated tables, and probeFilesystem on /tmp and on real tmpfs/ext4 mounts.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { mountOf, parseMountinfo, probeFilesystem } from '../src/probe/filesystem.js';
import { mountFs, mountSkipReason, warnSkip, type Mounted } from './e2e/helpers.js';

const mounts = [
  { mountPoint: '/', type: 'ext4' },
  { mountPoint: '/var', type: 'xfs' },
  { mountPoint: '/var/log', type: 'btrfs' },
  { mountPoint: '/mnt/my disk', type: 'vfat' },
  { mountPoint: '/dev/shm', type: 'tmpfs' },
];

it.each([
  ['/', '/'],
  ['/etc/passwd', '/'],
  ['/var', '/var'],
  ['/var/cache/x', '/var'],
  ['/var/log', '/var/log'],
  ['/var/log/app.log', '/var/log'],
  ['/var/logs/app.log', '/var'],
  ['/variable', '/'],
  ['/mnt/my disk/a b.log', '/mnt/my disk'],
  ['/mnt/my', '/'],
  ['/dev/shm/x', '/dev/shm'],
])('mountOf(%j) is %j', (p, mountPoint) => expect(mountOf(p, mounts)?.mountPoint).toBe(mountPoint));

it('takes the last of two mounts on the same point, the one on top', () =>
  expect(mountOf('/var/x', [...mounts, { mountPoint: '/var', type: 'tmpfs' }])?.type).toBe('tmpfs'));

it('finds no mount in an empty table', () => expect(mountOf('/var', [])).toBeUndefined());

it('probes /tmp with sane figures', () => {
  const f = probeFilesystem(os.tmpdir());
  expect(f.type).toMatch(/^[\w.-]+$/);
  expect(fs.realpathSync(os.tmpdir()).startsWith(f.mountPoint)).toBe(true);
  expect(f.dev).toBe(fs.statSync(os.tmpdir()).dev);
  expect(f.blockSize).toBeGreaterThan(0);
  expect(f.totalBytes).toBeGreaterThan(0);
  expect(f.freeBytes).toBeGreaterThanOrEqual(0);
  expect(f.freeBytes).toBeLessThanOrEqual(f.totalBytes);
  expect(f.freeInodes).toBeLessThanOrEqual(f.totalInodes);
});

it("reads a folder's real path once for the files taken in a row (-r probed every file's path up to /)", () => {
  const real = vi.spyOn(fs.realpathSync, 'native');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-fs-'));
  try {
    probeFilesystem(dir);
    probeFilesystem(dir);
    expect(real.mock.calls.filter(([p]) => p === dir)).toHaveLength(1);
  } finally {
    real.mockRestore();
    fs.rmdirSync(dir);
  }
});

describe.skipIf(warnSkip(mountSkipReason()))('on real mounts', () => {
  const mounted: Mounted[] = [];
  afterAll(() => mounted.forEach((m) => m.unmount()));

  it.each([
    ['tmpfs', { ramBacked: true, copyOnWrite: false }],
    ['ext4', { ramBacked: false, copyOnWrite: false }],
  ] as const)('reads the type, size and free space of a %s', (kind, flags) => {
    const m = mountFs(kind, 16);
    mounted.push(m);
    const before = probeFilesystem(m.dir);
    expect(before).toMatchObject({ type: kind, mountPoint: m.dir, ...flags });
    expect(before.totalBytes).toBeGreaterThan(12 * 2 ** 20);
    expect(before.totalBytes).toBeLessThanOrEqual(16 * 2 ** 20);
    fs.writeFileSync(path.join(m.dir, 'f'), Buffer.alloc(4 * 2 ** 20, 1));
    expect(before.freeBytes - probeFilesystem(path.join(m.dir, 'f')).freeBytes).toBeGreaterThanOrEqual(4 * 2 ** 20);
  });

  it('finds a mount point with a space in its name (escaped as \\040 in mountinfo)', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-fs-'));
    const dir = path.join(parent, 'my disk');
    fs.mkdirSync(dir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir]);
      expect(probeFilesystem(dir)).toMatchObject({ type: 'tmpfs', mountPoint: dir });
    } finally {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });
});

it('parseMountinfo: the mounted root, an escaped mount point and the superblock options', () =>
  expect(parseMountinfo('35 31 0:32 /docker/abc /sys/fs/cgroup/my\\040mem rw,relatime shared:9 - cgroup cgroup rw,memory\n')).toEqual([
    { root: '/docker/abc', mountPoint: '/sys/fs/cgroup/my mem', type: 'cgroup', source: 'cgroup', superOptions: ['rw', 'memory'], dev: 32 },
  ]));

it('parseMountinfo: major:minor as the st_dev of the files on that mount', () => {
  const line = (mm: string) => `36 31 ${mm} / /mnt rw - ext4 /dev/x rw\n`;
  expect(parseMountinfo(line('8:1'))[0].dev).toBe(2049);
  expect(parseMountinfo(line('259:3'))[0].dev).toBe(66307);
  const root = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).filter((m) => m.mountPoint === '/').at(-1);
  expect(root?.dev).toBe(fs.statSync('/').dev);
});
