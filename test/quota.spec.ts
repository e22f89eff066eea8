import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { btrfsQuota, quotaNote } from '../src/probe/quota.js';

describe('btrfsQuota: the room a qgroup limit leaves, read from a sysfs tree', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-quota-spec-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const device = path.join(root, 'dev', 'loop9');
  fs.mkdirSync(path.dirname(device), { recursive: true });
  fs.writeFileSync(device, '');
  const sysfs = path.join(root, 'sys');
  const group = path.join(sysfs, 'uuid-1', 'qgroups', '0_257');
  fs.mkdirSync(path.join(sysfs, 'uuid-1', 'devices', 'loop9'), { recursive: true });
  fs.mkdirSync(path.join(sysfs, 'uuid-0', 'devices', 'sda1'), { recursive: true });
  fs.mkdirSync(group, { recursive: true });
  const set = (values: Record<string, number>) => Object.entries(values).forEach(([k, v]) => fs.writeFileSync(path.join(group, k), `${v}\n`));
  const opts = ['rw', 'subvolid=257', 'subvol=/logs'];

  it('a limit on referenced bytes: what it leaves, data reserved for writes in flight counted as used', () => {
    set({ max_referenced: 40_000, referenced: 30_000, max_exclusive: 0, exclusive: 30_000, rsv_data: 1_000 });
    expect(btrfsQuota(device, opts, true, sysfs)).toEqual({ what: 'btrfs qgroup 0/257', limit: 40_000, used: 31_000, room: 9_000 });
  });

  it('the tighter of the two limits, and never below 0', () => {
    set({ max_referenced: 40_000, referenced: 30_000, max_exclusive: 20_000, exclusive: 25_000, rsv_data: 0 });
    expect(btrfsQuota(device, opts, true, sysfs)).toMatchObject({ limit: 20_000, room: 0 });
    expect(quotaNote(btrfsQuota(device, opts, true, sysfs))).toBe(' under the disk quota (btrfs qgroup 0/257: 25000 of its 20000 bytes used)');
  });

  it('none: no limit set, quotas off (no such qgroup), another subvolume than the mounted one, another device', () => {
    set({ max_referenced: 0, referenced: 30_000, max_exclusive: 0, exclusive: 30_000, rsv_data: 0 });
    expect(btrfsQuota(device, opts, true, sysfs)).toBeUndefined();
    set({ max_referenced: 40_000 });
    expect(btrfsQuota(device, ['rw', 'subvolid=5'], true, sysfs)).toBeUndefined();
    expect(btrfsQuota(device, opts, false, sysfs)).toBeUndefined();
    expect(btrfsQuota(path.join(root, 'dev', 'missing'), opts, true, sysfs)).toBeUndefined();
    expect(quotaNote(undefined)).toBe('');
  });
});
