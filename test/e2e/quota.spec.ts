// A user at its disk quota on a filesystem with room: EDQUOT is a full disk for that user, planned for
// like ENOSPC (stash, in place), named as a quota; where the quota can be read (a btrfs qgroup) the plan uses it.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipHash, mountFs, mountSkipReason, onlyReport, run, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

/** A btrfs image of 384 MiB with quotas on, and a limit on its top subvolume (0/5) or on a parent qgroup the probe cannot see. */
function mountBtrfs(limit: 'subvolume' | 'parent'): Pick<Mounted, 'dir' | 'unmount'> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-btrfs-'));
  const image = `${dir}.img`;
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 384 * MiB);
  const unmount = () => {
    spawnSync('umount', ['-l', dir]);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(image, { force: true });
  };
  try {
    execFileSync('mkfs.btrfs', ['-q', '-f', image], { stdio: 'ignore' });
    execFileSync('mount', ['-o', 'loop', image, dir]);
    execFileSync('btrfs', ['quota', 'enable', dir]);
    if (limit === 'parent') {
      execFileSync('btrfs', ['qgroup', 'create', '1/100', dir]);
      execFileSync('btrfs', ['qgroup', 'assign', '0/5', '1/100', dir], { stdio: 'ignore' });
      execFileSync('btrfs', ['quota', 'rescan', '-w', dir], { stdio: 'ignore' });
    }
    execFileSync('btrfs', ['qgroup', 'limit', '40M', limit === 'parent' ? '1/100' : '0/5', dir]);
  } catch (err) {
    unmount();
    throw err;
  }
  return { dir, unmount };
}

function btrfsSkipReason(): string | undefined {
  const root = mountSkipReason();
  if (root) return root;
  if (spawnSync('mkfs.btrfs', ['--version']).status !== 0 || spawnSync('btrfs', ['--version']).status !== 0) return 'NO btrfs-progs (mkfs.btrfs, btrfs): btrfs quota tests are SKIPPED';
  try {
    mountBtrfs('subvolume').unmount();
  } catch (err) {
    return `CANNOT MOUNT A BTRFS IMAGE WITH QGROUPS (${(err as Error).message.split('\n')[0]}): btrfs quota tests are SKIPPED`;
  }
  return undefined;
}

/** Whether this kernel can enforce ext4 (and xfs) user quotas: ext4's quota feature needs QFMT_V2. */
function ext4QuotaSkipReason(): string | undefined {
  const root = mountSkipReason();
  if (root) return root;
  const config = spawnSync('sh', ['-c', 'zcat /proc/config.gz 2>/dev/null'], { encoding: 'utf8' }).stdout;
  if (/# CONFIG_QFMT_V2 is not set/.test(config))
    return 'THIS KERNEL HAS NO EXT4/XFS QUOTA SUPPORT (CONFIG_QFMT_V2 and CONFIG_XFS_QUOTA not set): ext4/xfs quota tests are SKIPPED; a write that meets such a quota is planned for as a full disk (the btrfs parent-qgroup test covers that path)';
  return 'ext4 quota test not written: only btrfs qgroups are read by the probe';
}

/** Writes random bytes until the quota refuses any more: the user is at its limit, the disk has hundreds of MiB free. */
function fillQuota(dir: string): void {
  const fd = fs.openSync(path.join(dir, '.filler'), 'a');
  const chunk = Buffer.alloc(MiB, 7).map((_, i) => (i * 2654435761) >>> 24);
  try {
    for (const size of [MiB, 64 * 1024, 4096])
      for (;;) {
        try {
          fs.writeSync(fd, chunk.subarray(0, size));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).errno !== -122) throw err;
          break;
        }
      }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  expect(fs.statfsSync(dir).bavail * fs.statfsSync(dir).bsize).toBeGreaterThan(100 * MiB);
}

describe.skipIf(warnSkip(btrfsSkipReason()))('a user at its btrfs qgroup limit, on a filesystem with room', () => {
  const mounts: Pick<Mounted, 'unmount'>[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));
  const atQuota = (limit: 'subvolume' | 'parent') => {
    const m = mountBtrfs(limit);
    mounts.push(m);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 24 * MiB);
    fillQuota(m.dir);
    return { log, hash };
  };

  it('in place (--no-stash --yes): the plan counts the room the qgroup leaves, FILE goes first, the .gz is whole', () => {
    const { log, hash } = atQuota('subvolume');
    const report = onlyReport(run(['--no-stash', '--yes', '--json', log]), 0);
    expect(report).toMatchObject({ status: 'compressed', strategy: 'in-place' });
    expect(report.reason).toContain('under the disk quota (btrfs qgroup 0/5');
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  }, 60_000);

  it('with a stash on another filesystem: the stash strategy, as for a full disk', () => {
    const { log, hash } = atQuota('subvolume');
    const stash = mountFs('tmpfs', 32);
    mounts.push(stash);
    const report = onlyReport(run(['--stash', stash.dir, '--json', log]), 0);
    expect(report).toMatchObject({ status: 'compressed', strategy: 'stash' });
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
    expect(fs.readdirSync(stash.dir)).toEqual([]);
  }, 60_000);

  it('a limit the probe cannot read (a parent qgroup): the write meets EDQUOT, says "disk quota exceeded", and falls back as from ENOSPC', () => {
    const { log, hash } = atQuota('parent');
    const r = run(['--no-stash', '--yes', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('disk quota exceeded for uid 0');
    expect(r.stderr).not.toContain('Unknown system error');
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  }, 60_000);

  it('when nothing can work (-k keeps FILE): exit 1, the words say quota, nothing is touched', () => {
    const { log, hash } = atQuota('subvolume');
    const report = onlyReport(run(['-k', '--json', log]), 1);
    expect(report.error.code).toBe('NO_SPACE');
    expect(report.error.message).toContain('under the disk quota (btrfs qgroup 0/5');
    expect(fs.existsSync(`${log}.gz`)).toBe(false);
    expect(execFileSync('sha256sum', [log]).toString().split(' ')[0]).toBe(hash);
  }, 60_000);
});

describe('a user at its ext4 or xfs quota', () => {
  it.skipIf(warnSkip(ext4QuotaSkipReason()))('is planned for like a btrfs qgroup', () => {});
});
