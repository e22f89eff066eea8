// 0 free inodes on a real ext4: block mode refuses before its first cut (it used to cut a block a run
// until every part sat in the stash), and compressing the file whole in place, which needs no inode, works.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { gunzipHash, jsonLines, mountFs, mountSkipReason, run, sha256File, warnSkip, writeLog, type Mounted } from './helpers.js';

const mounts: Mounted[] = [];
const mount = (kind: 'tmpfs' | 'ext4', sizeMiB: number, extra = {}) => {
  const m = mountFs(kind, sizeMiB, extra);
  mounts.push(m);
  return m;
};

/** Creates empty files until the filesystem has no inode left. */
function useEveryInode(dir: string): void {
  const holder = path.join(dir, 'inodes');
  fs.mkdirSync(holder);
  for (let i = 0; ; i++) {
    try {
      fs.writeFileSync(path.join(holder, String(i)), '');
    } catch {
      break;
    }
  }
  expect(fs.statfsSync(dir).ffree).toBe(0);
}

describe.skipIf(warnSkip(mountSkipReason()))('0 free inodes', () => {
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  it('block mode refuses with FILE untouched; a rerun without -m compresses it in place', () => {
    const m = mount('ext4', 32, { inodes: 64 });
    const stash = mount('tmpfs', 16);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 4 * 2 ** 20);
    useEveryInode(m.dir);
    const refused = run(['--json', '-m', '256K', '--stash', stash.dir, log]);
    expect(refused.code, refused.stderr).toBe(1);
    expect(jsonLines(refused.stdout)[0]).toMatchObject({ error: { code: 'NO_SPACE', message: expect.stringContaining('no free inode') } });
    expect(sha256File(log)).toBe(hash);
    expect(fs.readdirSync(stash.dir)).toEqual([]);
    const whole = run(['--stash', stash.dir, log]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });
});
