// --scan on prepared trees: a full tmpfs with compressed and plain files, an ext4 out of inodes. Reads only.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fill, jsonLines, killChild, logData, mountFs, mountSkipReason, run, startNode, treeHash, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const HOLDER = `const fd = require('node:fs').openSync(process.argv[1], 'r'); console.log(fd); setInterval(() => {}, 1000);`;

/** Compresses data with a system tool (gzip, xz, zstd, bzip2) to file. */
const packWith = (tool: string, data: Buffer, file: string) => fs.writeFileSync(file, execFileSync(tool, ['-c'], { input: data, maxBuffer: 2 ** 28 }));

interface FsJson {
  mountPoint: string;
  level: string;
  inodesLevel: string;
  inodesOnly: boolean;
  largest: { path: string; size: number; savingBytes: number }[];
  alreadyCompressed: { path: string; format: string }[];
  deleted: { path: string; command: string }[];
  commands: string[];
}

describe.skipIf(warnSkip(mountSkipReason()))('--scan', () => {
  const mounts: Mounted[] = [];
  let holder: ChildProcess | undefined;
  afterEach(() => killChild(holder));
  afterAll(() => mounts.forEach((m) => m.unmount()));

  it('a full tmpfs: critical, the plain files largest first with their estimated saving, compressed ones known by their bytes, deleted ones, and the commands', async () => {
    const m = mountFs('tmpfs', 24);
    mounts.push(m);
    const d = (name: string) => path.join(m.dir, name);
    fs.mkdirSync(d('sub'));
    writeLog(d('big.log'), 4 * MiB);
    writeLog(d('sub/medium.txt'), 2 * MiB);
    writeLog(d('fake.gz'), 1.5 * MiB); // a .gz name, plain text inside
    const noise = crypto.randomBytes(2 * MiB); // stays large once compressed, so it ranks among the largest
    packWith('gzip', noise, d('disguised.log'));
    for (const [tool, ext] of [['xz', 'xz'], ['zstd', 'zst'], ['bzip2', 'bz2']]) packWith(tool, noise, d(`noise.${ext}`));
    const gone = d('gone.log');
    writeLog(gone, MiB);
    const started = await startNode(HOLDER, [gone]);
    holder = started.child;
    fs.unlinkSync(gone);
    fill(m.dir);
    const before = treeHash(m.dir);

    const r = run(['--scan', '--json', m.dir]);
    expect(r.code, r.stderr).toBe(0);
    const [found] = jsonLines(r.stdout) as unknown as FsJson[];
    expect(found).toMatchObject({ mountPoint: m.dir, level: 'critical', inodesLevel: 'ok', inodesOnly: false });
    const plain = found.largest.map((f) => f.path);
    // The filler is random bytes: listed by size, but with no saving to speak of and no command.
    expect(plain.slice(0, 4)).toEqual([d('.filler'), d('big.log'), d('sub/medium.txt'), d('fake.gz')]);
    expect(found.largest[0].savingBytes).toBeLessThan(found.largest[0].size / 100);
    for (const packed of ['disguised.log', 'noise.xz', 'noise.zst', 'noise.bz2']) expect(plain).not.toContain(d(packed));
    expect(found.alreadyCompressed.map((c) => c.format).sort()).toEqual(['bzip2', 'gzip', 'xz', 'zstd']);
    expect(found.largest[1].savingBytes).toBeGreaterThan(2 * MiB);
    expect(found.deleted).toEqual([expect.objectContaining({ path: gone, command: `cmemgzip -o ${gone}.gz /proc/${holder.pid}/fd/${started.line}` })]);
    expect(found.commands[0]).toBe(`cmemgzip ${d('big.log')} ${d('sub/medium.txt')} ${d('fake.gz')}`);
    expect(found.commands).toContain(found.deleted[0].command);

    const h = run(['--scan', m.dir]);
    expect(h.code, h.stderr).toBe(0);
    expect(h.stdout).toContain(`${m.dir} (tmpfs): CRITICAL: space`);
    expect(h.stdout).toContain('next:');
    expect(treeHash(m.dir)).toBe(before);
  });

  it('an ext4 out of inodes: says compressing cannot help, and how to find the many small files', () => {
    const m = mountFs('ext4', 8, { inodes: 64 });
    mounts.push(m);
    writeLog(path.join(m.dir, 'app.log'), MiB);
    for (let i = 0; ; i++) {
      try {
        fs.writeFileSync(path.join(m.dir, `small-${i}`), logData(100));
      } catch (err) {
        expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
        break;
      }
    }
    const r = run(['--scan', '--json', m.dir]);
    expect(r.code, r.stderr).toBe(0);
    const [found] = jsonLines(r.stdout) as unknown as FsJson[];
    expect(found).toMatchObject({ mountPoint: m.dir, level: 'ok', inodesLevel: 'critical', inodesOnly: true });
    expect(found.commands.some((c) => c.startsWith(`find ${m.dir} -xdev -type f`))).toBe(true);
    const h = run(['--scan', m.dir]);
    expect(h.stdout).toContain('inodes, not bytes, are exhausted: compressing frees no inode');
  });

  it('refuses an operand that is not a folder', () => {
    const r = run(['--scan', '/nonexistent-cmemgzip-scan']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent-cmemgzip-scan');
  });
});
