// memoryBudget against the system figures, and on fake /proc and /sys trees: cgroup v1 and v2 limits of
// the process's own cgroup and its ancestors, mounted where mountinfo says, page cache not counted as use.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { warnSkip } from './e2e/helpers.js';
import { availableMemory, cgroupDirs, CGROUP_MARGIN, memoryBudget, ownCgroups } from '../src/probe/memory.js';

const MiB = 2 ** 20;
const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

/** A fake root holding the given files (paths relative to it). */
function fakeRoot(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-memory-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  return root;
}

const meminfo = (mib: number) => `MemTotal:       16000000 kB\nMemFree:         1000000 kB\nMemAvailable:   ${mib * 1024} kB\n`;
const V1_MOUNT = '35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n';
const V2_MOUNT = '30 1 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n';
const UNLIMITED_V1 = '9223372036854771712\n';

it('is a positive whole number of bytes, at most the machine total', () => {
  const n = availableMemory();
  expect(Number.isInteger(n)).toBe(true);
  expect(n).toBeGreaterThan(0);
  expect(n).toBeLessThanOrEqual(os.totalmem());
});

// libuv's free memory is MemAvailable as well: without a cgroup cap the two agree, in bytes not KiB.
it('matches the system figure when MemAvailable is what limits it', (ctx) => {
  const b = memoryBudget();
  if (b.limitedBy !== 'MemAvailable') {
    warnSkip(`memory here is limited by ${b.limitedBy}: the comparison with os.freemem() is SKIPPED`);
    return ctx.skip();
  }
  expect(b.available / os.freemem()).toBeCloseTo(1, 1);
});

it('without a cgroup limit: MemAvailable', () => {
  const root = fakeRoot({ 'proc/meminfo': meminfo(2048), 'proc/self/cgroup': '0::/\n', 'proc/self/mountinfo': V2_MOUNT });
  expect(memoryBudget(root)).toEqual({ available: 2048 * MiB, limitedBy: 'MemAvailable' });
});

it('cgroup v1: memory.limit_in_bytes less usage, page cache that can be dropped not counted, less the margin', () => {
  const root = fakeRoot({
    'proc/meminfo': meminfo(8192),
    'proc/self/cgroup': '9:name=systemd:/\n4:memory:/docker/abc\n3:cpuset:/\n0::/\n',
    'proc/self/mountinfo': V1_MOUNT,
    'sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes': `${512 * MiB}\n`,
    'sys/fs/cgroup/memory/docker/abc/memory.usage_in_bytes': `${200 * MiB}\n`,
    'sys/fs/cgroup/memory/docker/abc/memory.stat': `cache 150\ninactive_file 1\ntotal_inactive_file ${100 * MiB}\n`,
    'sys/fs/cgroup/memory/docker/memory.limit_in_bytes': UNLIMITED_V1,
    'sys/fs/cgroup/memory/docker/memory.usage_in_bytes': `${300 * MiB}\n`,
    'sys/fs/cgroup/memory/memory.limit_in_bytes': UNLIMITED_V1,
    'sys/fs/cgroup/memory/memory.usage_in_bytes': `${4000 * MiB}\n`,
  });
  const b = memoryBudget(root);
  expect(b.available).toBe(Math.floor(512 * MiB - 100 * MiB - 512 * MiB * CGROUP_MARGIN));
  expect(b.limitedBy).toMatch(/^cgroup v1 memory\.limit_in_bytes of \/sys\/fs\/cgroup\/memory\/docker\/abc \(512 MiB/);
});

it('cgroup v2: the tightest of its own memory.max and its ancestors\'', () => {
  const root = fakeRoot({
    'proc/meminfo': meminfo(8192),
    'proc/self/cgroup': '0::/system.slice/app.service\n',
    'proc/self/mountinfo': V2_MOUNT,
    'sys/fs/cgroup/system.slice/app.service/memory.max': 'max\n',
    'sys/fs/cgroup/system.slice/app.service/memory.current': `${10 * MiB}\n`,
    'sys/fs/cgroup/system.slice/memory.max': `${1024 * MiB}\n`,
    'sys/fs/cgroup/system.slice/memory.current': `${700 * MiB}\n`,
    'sys/fs/cgroup/system.slice/memory.stat': `anon 1\ninactive_file ${200 * MiB}\n`,
  });
  const b = memoryBudget(root);
  expect(b.available).toBe(Math.floor(1024 * MiB - 500 * MiB - 1024 * MiB * CGROUP_MARGIN));
  expect(b.limitedBy).toMatch(/^cgroup v2 memory\.max of \/sys\/fs\/cgroup\/system\.slice \(1 GiB/);
});

it('MemAvailable when it is smaller than the cgroup room', () => {
  const root = fakeRoot({
    'proc/meminfo': meminfo(100),
    'proc/self/cgroup': '0::/a\n',
    'proc/self/mountinfo': V2_MOUNT,
    'sys/fs/cgroup/a/memory.max': `${4096 * MiB}\n`,
    'sys/fs/cgroup/a/memory.current': '0\n',
  });
  expect(memoryBudget(root).limitedBy).toBe('MemAvailable');
});

it('a limit already exceeded leaves nothing, not a negative figure', () => {
  const root = fakeRoot({
    'proc/meminfo': meminfo(8192),
    'proc/self/cgroup': '4:memory:/\n',
    'proc/self/mountinfo': V1_MOUNT,
    'sys/fs/cgroup/memory/memory.limit_in_bytes': `${64 * MiB}\n`,
    'sys/fs/cgroup/memory/memory.usage_in_bytes': `${64 * MiB}\n`,
  });
  expect(memoryBudget(root).available).toBe(0);
});

it('a container whose mount root is its own cgroup (no cgroup namespace): the mount point itself', () => {
  const root = fakeRoot({
    'proc/meminfo': meminfo(8192),
    'proc/self/cgroup': '4:memory:/docker/abc\n',
    'proc/self/mountinfo': '35 31 0:32 /docker/abc /sys/fs/cgroup/memory ro,relatime - cgroup cgroup rw,memory\n',
    'sys/fs/cgroup/memory/memory.limit_in_bytes': `${256 * MiB}\n`,
    'sys/fs/cgroup/memory/memory.usage_in_bytes': '0\n',
  });
  expect(memoryBudget(root).available).toBe(Math.floor(256 * MiB * (1 - CGROUP_MARGIN)));
});

it.each([
  ['v1 and v2 lines', '12:cpu,cpuacct:/x\n4:memory:/m\n0::/u\n', { v1: '/m', v2: '/u' }],
  ['memory among other controllers', '3:memory,hugetlb:/m\n', { v1: '/m' }],
  ['name=systemd is not memory', '1:name=systemd:/s\n', {}],
  ['nothing', '', {}],
])('ownCgroups: %s', (_what, text, expected) => expect(ownCgroups(text)).toEqual(expected));

it.each([
  [{ root: '/', mountPoint: '/sys/fs/cgroup' }, '/a/b', ['/sys/fs/cgroup/a/b', '/sys/fs/cgroup/a', '/sys/fs/cgroup']],
  [{ root: '/', mountPoint: '/sys/fs/cgroup' }, '/', ['/sys/fs/cgroup']],
  [{ root: '/docker/abc', mountPoint: '/sys/fs/cgroup/memory' }, '/docker/abc', ['/sys/fs/cgroup/memory']],
  [{ root: '/docker/abc', mountPoint: '/m' }, '/other', ['/m']],
])('cgroupDirs(%j, %s)', (mount, cgroup, dirs) => expect(cgroupDirs(mount, cgroup)).toEqual(dirs));
