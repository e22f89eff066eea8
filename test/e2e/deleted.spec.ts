// Deleted files a live process still holds open: listed by --deleted, reclaimed through /proc/PID/fd/N.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  fill, freeBytes, gunzipHash, isRoot, jsonLines, killChild, mountFs, mountSkipReason, run, startNode, warnSkip, writeLog, type Mounted,
} from './helpers.js';

/** Opens the file, prints the descriptor number, then idles with it open. */
const HOLDER = `
const fd = require('node:fs').openSync(process.argv[1], process.argv[2]);
console.log(fd);
setInterval(() => {}, 1000);
`;

const MiB = 2 ** 20;

describe.skipIf(warnSkip(mountSkipReason()))('deleted files still held open', () => {
  const mounts: Mounted[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killChild));
  });
  afterAll(() => mounts.forEach((m) => m.unmount()));

  const mount = (mib: number) => {
    const m = mountFs('tmpfs', mib);
    mounts.push(m);
    return m;
  };
  /** A file of log data held open by a child, then unlinked; returns the child's pid and fd and the content's hash. */
  const holdDeleted = async (file: string, bytes: number, flag = 'r') => {
    const hash = writeLog(file, bytes);
    const { child, line } = await startNode(HOLDER, [file, flag]);
    children.push(child);
    fs.unlinkSync(file);
    return { pid: child.pid!, fd: Number(line), hash, link: `/proc/${child.pid}/fd/${line}` };
  };

  it('--deleted lists it with its size, PID, fd and filesystem, and the total; --json one object per file', async () => {
    const m = mount(16);
    const file = path.join(m.dir, 'gone.log');
    const { pid, fd, link } = await holdDeleted(file, 6 * MiB);
    fill(m.dir);

    const j = run(['--deleted', '--json']);
    expect(j.code, j.stderr).toBe(0);
    const mine = jsonLines(j.stdout).filter((o) => o.path === file);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ size: 6 * MiB, mountPoint: m.dir, fsType: 'tmpfs', holders: [{ pid, fd, command: 'node', link }] });
    expect(mine[0].allocatedBytes).toBeGreaterThanOrEqual(6 * MiB);
    expect(mine[0].command).toBe(`cmemgzip -o ${file}.gz ${link}`);

    const h = run(['--deleted']);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain(`${file} (deleted), on ${m.dir} (tmpfs)`);
    expect(h.stdout).toContain(`PID ${pid} (node) fd ${fd}, reading: ${link}`);
    expect(h.stdout).toMatch(/total reclaimable: .*\(\d[\d,]* bytes\) in \d+ deleted file/);
  });

  it('/proc/PID/fd/N -o on another tmpfs: the .gz equals the content and the full filesystem gets the space back', async () => {
    const m = mount(16);
    const dest = mount(16);
    const { pid, link, hash } = await holdDeleted(path.join(m.dir, 'gone.log'), 8 * MiB);
    fill(m.dir);
    const freeBefore = freeBytes(m.dir);

    const r = run(['-o', `${dest.dir}/`, link]);
    expect(r.code, r.stderr).toBe(0);
    expect(gunzipHash(path.join(dest.dir, 'gone.log.gz'))).toBe(hash);
    expect(freeBytes(m.dir)).toBeGreaterThanOrEqual(freeBefore + 8 * MiB);
    expect(fs.statSync(link).size).toBe(0);
    process.kill(pid, 0); // the holder lives on
  });

  it('/proc/PID/fd/N -o on the full filesystem itself goes through the stash, then writes DEST once the space is free', async () => {
    const m = mount(16);
    const stash = mount(8);
    const { link, hash } = await holdDeleted(path.join(m.dir, 'gone.log'), 8 * MiB, 'r+');
    fill(m.dir);
    const freeBefore = freeBytes(m.dir);
    const dest = path.join(m.dir, 'saved.log.gz');

    const r = run(['--stash', stash.dir, '--json', '-o', dest, link]);
    expect(r.code, r.stderr).toBe(2); // held open for writing: the warning that lines of the last instant can be lost exits 2
    expect(jsonLines(r.stdout)[0]).toMatchObject({ status: 'compressed', strategy: 'stash', output: dest });
    expect(gunzipHash(dest)).toBe(hash);
    // The 8 MiB came back, less the .gz now beside it and the filesystem's rounding.
    expect(freeBytes(m.dir)).toBeGreaterThan(freeBefore + 8 * MiB - fs.statSync(dest).size - 256 * 1024);
    expect(fs.readdirSync(stash.dir)).toEqual([]);
  });

  it('refuses clearly: no -o, a descriptor that is not a deleted file, one that is not a regular file', async () => {
    const m = mount(8);
    const { link, pid } = await holdDeleted(path.join(m.dir, 'gone.log'), MiB);
    const kept = path.join(m.dir, 'kept.log');
    fs.writeFileSync(kept, 'still linked\n');
    const other = await startNode(HOLDER, [kept, 'r']);
    children.push(other.child);

    const noDest = run([link]);
    expect(noDest.code).toBe(1);
    expect(noDest.stderr).toContain('-o DEST is required');
    const linked = run(['-o', m.dir, `/proc/${other.child.pid}/fd/${other.line}`]);
    expect(linked.code).toBe(1);
    expect(linked.stderr).toContain(`is ${kept}, which is not deleted`);
    expect(linked.stderr).toContain(`cmemgzip --copytruncate ${kept}`);
    const devNull = run(['-o', m.dir, `/proc/${pid}/fd/0`]);
    expect(devNull.code).toBe(1);
    expect(devNull.stderr).toContain('not a deleted regular file');
    expect(fs.statSync(link).size).toBe(MiB);
    expect(fs.readdirSync(m.dir)).toEqual(['kept.log']);
  });

  it.skipIf(!isRoot)('as another user, lists what it can see and says that other processes are hidden', async () => {
    const m = mount(8);
    await holdDeleted(path.join(m.dir, 'gone.log'), MiB);
    const r = run(['--deleted', '--json'], { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout).filter((o) => String(o.path).startsWith(m.dir))).toEqual([]);
    expect(r.stderr).toMatch(/\d+ processes could not be inspected \(not root\): deleted files they hold open are not listed/);
  });

  it.skipIf(!isRoot)('refuses without permission: another user cannot reach the descriptor', async () => {
    const m = mount(8);
    const { link } = await holdDeleted(path.join(m.dir, 'gone.log'), MiB);
    const r = run(['-o', m.dir, link], { prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('permission denied');
    expect(fs.statSync(link).size).toBe(MiB);
  });
});
