// A file a live process keeps writing to: refused by default, emptied in place by --copytruncate.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fillLeaving, freeBytes, jsonLines, killChild, mountFs, mountSkipReason, recordKeyOf, run, startNode, stashManifestFor, warnSkip, type Mounted } from './helpers.js';
import { stateFolderName } from '../../src/probe/own-folder.js';

/**
 * Writes `prefill` numbered lines at once, says ready, then one more line every 4 ms. A line that
 * does not fit (ENOSPC, short write) is retried, never skipped: every number in 1..n is written once.
 */
const WRITER = `
const fs = require('node:fs');
const [file, flag, prefill] = process.argv.slice(1);
const fd = fs.openSync(file, flag);
let n = 0;
let pending = Buffer.alloc(0);
const next = () => Buffer.from('line ' + ++n + '\\n');
const chunk = [];
for (let i = 0; i < Number(prefill); i++) chunk.push(next());
fs.writeSync(fd, Buffer.concat(chunk));
console.log('ready');
setInterval(() => {
  if (pending.length === 0) pending = next();
  try { pending = pending.subarray(fs.writeSync(fd, pending)); } catch {}
}, 4);
`;

const numbers = (text: string): number[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const m = /^line (\d+)$/.exec(l);
      if (!m) throw new Error(`not a whole line: ${JSON.stringify(l)}`);
      return Number(m[1]);
    });

const contiguous = (ns: number[]) => ns.every((n, i) => i === 0 || n === ns[i - 1] + 1);
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(warnSkip(mountSkipReason()))('files held open by a writer', () => {
  const mounts: Mounted[] = [];
  let writer: ChildProcess | undefined;
  afterEach(async () => {
    await killChild(writer);
    writer = undefined;
  });
  afterAll(() => mounts.forEach((m) => m.unmount()));

  const mount = (mib: number) => {
    const m = mountFs('tmpfs', mib);
    mounts.push(m);
    return m;
  };
  const startWriter = async (file: string, flag: 'a' | 'w', prefill = 200_000) => {
    const started = await startNode(WRITER, [file, flag, String(prefill)]);
    writer = started.child;
    return started.child.pid!;
  };

  it('refuses by default: exit 1, names the PID, its fd and the two ways forward, touches nothing', async () => {
    const m = mount(16);
    const log = path.join(m.dir, 'app.log');
    const pid = await startWriter(log, 'a');
    const ino = fs.statSync(log).ino;
    const r = run([log]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain(`PID ${pid} (node) fd`);
    expect(r.stderr).toContain('writing with O_APPEND');
    expect(r.stderr).toMatch(/stop \(or restart\) that service/);
    expect(r.stderr).toContain('--copytruncate');
    expect(fs.existsSync(`${log}.gz`)).toBe(false);
    expect(fs.statSync(log).ino).toBe(ino);
    expect(fs.statSync(log).size).toBeGreaterThan(2_000_000);
  });

  it('--copytruncate on a full tmpfs: the writer lives on, space comes back, every line is kept but those of the last instant', async () => {
    const m = mount(16);
    const stash = mount(16);
    const log = path.join(m.dir, 'app.log');
    const pid = await startWriter(log, 'a');
    fs.chmodSync(log, 0o640);
    fs.chownSync(log, 1234, 2345);
    const ino = fs.statSync(log).ino;
    // Too little room for the .gz (so the copy must go to the stash), enough for the writer to go on meanwhile.
    fillLeaving(m.dir, 512 * 1024);
    const before = fs.statSync(log).size;
    const freeBefore = freeBytes(m.dir);

    const r = run(['--copytruncate', '--stash', stash.dir, '--json', log]);
    expect(r.code, r.stderr).toBe(2); // its warning (lines of the last instant) exits 2, as gzip's warnings do
    const [report] = jsonLines(r.stdout);
    expect(report).toMatchObject({ status: 'compressed', strategy: 'stash', output: `${log}.gz` });
    expect(r.stderr).toContain('can be lost, as with logrotate');
    const ct = report.copytruncate as { caughtBytes: number; rounds: number; lostAtLeastBytes: number };
    expect(ct.caughtBytes).toBeGreaterThan(0);

    await sleep(300); // the writer must keep writing into the emptied file
    expect(alive(pid)).toBe(true);
    expect(freeBytes(m.dir)).toBeGreaterThan(freeBefore + before / 2);
    await killChild(writer);

    const st = fs.statSync(log);
    expect({ ino: st.ino, mode: st.mode & 0o777, uid: st.uid, gid: st.gid }).toEqual({ ino, mode: 0o640, uid: 1234, gid: 2345 });
    const gz = fs.statSync(`${log}.gz`);
    expect({ mode: gz.mode & 0o777, uid: gz.uid, gid: gz.gid }).toEqual({ mode: 0o640, uid: 1234, gid: 2345 });
    expect(fs.readdirSync(stash.dir)).toEqual([]);

    const content = execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 28 });
    expect(content.length).toBe(report.originalBytes);
    const saved = numbers(content.toString());
    const after = numbers(fs.readFileSync(log, 'utf8'));
    expect(saved[0]).toBe(1);
    expect(contiguous(saved)).toBe(true);
    expect(after.length).toBeGreaterThan(10); // written after the truncation
    expect(contiguous(after)).toBe(true);
    const lost = after[0] - saved[saved.length - 1] - 1;
    expect(lost).toBeGreaterThanOrEqual(0);
    expect(lost).toBeLessThanOrEqual(2);
  });

  it('--resume after a copytruncate stopped past the truncation writes the .gz from the stash and leaves the live file alone', () => {
    const m = mount(8);
    const stash = mount(8);
    const log = path.join(m.dir, 'app.log');
    const content = Buffer.from(Array.from({ length: 50_000 }, (_, i) => `line ${i + 1}\n`).join(''));
    fs.writeFileSync(log, content);
    const st = fs.statSync(log);
    // What a run killed right after its truncation leaves: a verified stash, a manifest in phase 'rewriting', an emptied file.
    const folder = path.join(stash.dir, stateFolderName());
    fs.mkdirSync(folder, { mode: 0o700 });
    const gz = execFileSync('gzip', ['-c'], { input: content });
    fs.writeFileSync(path.join(folder, `${recordKeyOf(log)}.gz`), gz);
    const manifest = stashManifestFor(log, { size: content.length, crc: zlib.crc32(content), compressedSize: gz.length, copytruncate: true, createdAt: new Date().toISOString() });
    fs.writeFileSync(path.join(folder, `${recordKeyOf(log)}.json`), JSON.stringify(manifest));
    fs.writeFileSync(log, 'written after the truncation\n');

    const r = run(['--resume', '--stash', stash.dir, log]);
    expect(r.code, r.stderr).toBe(0);
    expect(execFileSync('gzip', ['-dc', `${log}.gz`]).equals(content)).toBe(true);
    expect(fs.readFileSync(log, 'utf8')).toBe('written after the truncation\n');
    expect(fs.statSync(log).ino).toBe(st.ino);
    expect(fs.readdirSync(stash.dir)).toEqual([]);
  });

  it('warns, before acting, that a writer without O_APPEND leaves a hole of NUL bytes (that costs no space)', async () => {
    const m = mount(16);
    const log = path.join(m.dir, 'app.log');
    const pid = await startWriter(log, 'w');
    const r = run(['--copytruncate', '--no-stash', log]);
    expect(r.code, r.stderr).toBe(2); // the warning of a copy under a live writer: exit 2
    expect(r.stderr).toContain(`PID ${pid} (node) fd`);
    expect(r.stderr).toContain('without O_APPEND');
    expect(r.stderr).toContain('sparse hole of NUL bytes');
    expect(r.stderr).toContain(`tr -d '\\0'`);
    await sleep(200);
    await killChild(writer);
    // The warning was true: the writer went on at its old offset, past a hole that takes no space.
    const st = fs.statSync(log);
    const head = Buffer.alloc(4096);
    const fd = fs.openSync(log, 'r');
    fs.readSync(fd, head, 0, head.length, 0);
    fs.closeSync(fd);
    expect(head.every((b) => b === 0)).toBe(true);
    expect(st.size).toBeGreaterThan(2_000_000);
    expect(st.blocks * 512).toBeLessThan(64 * 1024);
  });
});
