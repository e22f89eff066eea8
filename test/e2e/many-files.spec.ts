// -r over many small files: among them files whose jobs a kill left unfinished, which the run's quick look
// for records (record-index.ts) must still find and finish; and the folder fsyncs that files let through
// together share (folder-sync.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, fillLeaving, gunzipHash, jsonLines, killAt, logData, mountFs, mountSkipReason, run, sha256, STATE_DIR, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

describe.skipIf(warnSkip(mountSkipReason()))('-r over many small files', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));
  const tmpfs = (mib: number) => {
    const m = mountFs('tmpfs', mib);
    mounts.push(m);
    return m.dir;
  };
  const smallLogs = (dir: string, n: number) =>
    Array.from({ length: n }, (_, i) => {
      const file = path.join(dir, `small-${String(i).padStart(2, '0')}.log`);
      writeLog(file, 4096 + i * 997);
      return { file, hash: sha256(fs.readFileSync(file)) };
    });

  it('a block-mode journal beside its file and a safety copy found by its pointer note are finished, every small file compressed', async () => {
    // A block job killed after its second cut: FILE holds the head, the journal beside it the rest.
    const blocks = tmpfs(40);
    const big = path.join(blocks, 'big.log');
    const bigData = logData(4 * MiB);
    fs.writeFileSync(big, bigData);
    await killAt(['-m', '1M', '--no-stash', big], 'block 2: cut it off FILE, fsync');
    // A job through a safety copy on a --stash place, killed as its rewrite began: only a note in the default place says where.
    const full = tmpfs(12);
    const stash = tmpfs(16);
    const held = path.join(full, 'held.log');
    const heldData = logData(6 * MiB);
    fs.writeFileSync(held, heldData);
    const filler = fill(full);
    await killAt(['--stash', stash, held], 'rewrite FILE in place with the .gz');
    expect(fs.readdirSync(path.join(STATE_DIR, `cmemgzip-${process.getuid!()}`)).filter((f) => f.endsWith('.where'))).toHaveLength(1);
    fs.rmSync(filler);
    const small = [...smallLogs(blocks, 30), ...smallLogs(full, 30)];

    const r = run(['-r', blocks, full]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(gunzipHash(`${big}.gz`)).toBe(sha256(bigData));
    expect(gunzipHash(`${held}.gz`)).toBe(sha256(heldData));
    for (const s of small) {
      expect(fs.existsSync(s.file)).toBe(false);
      expect(gunzipHash(`${s.file}.gz`)).toBe(s.hash);
    }
    expect([...fs.readdirSync(blocks), ...fs.readdirSync(full)].filter((f) => !f.endsWith('.gz'))).toEqual([]);
    expect(fs.readdirSync(stash)).toEqual([]);
    expect(fs.readdirSync(STATE_DIR)).toEqual([]);
  }, 120_000);

  it.skipIf(spawnSync('prlimit', ['--version']).error)('a hard limit on open files (100 here; 1,024 in many containers, where 32 a core of 16 cores is 512 files in flight) bounds the files in flight: none fails with EMFILE', () => {
    const dir = tmpfs(64);
    const small = smallLogs(dir, 80);
    const r = run(['-r', '--json', dir], { prefix: ['prlimit', '--nofile=100:100'] });
    expect(r.stdout).not.toMatch(/EMFILE/);
    expect(r.code, r.stderr).toBe(0);
    for (const s of small) expect(gunzipHash(`${s.file}.gz`)).toBe(s.hash);
  }, 120_000);

  it('short of room beside, each small file borrows from the reserve in turn: beside, no window, the reserve whole again', () => {
    // Room for several worst-case .gz at once, not for one and the plan's RESERVE: every file needs a loan.
    // Side by side, one file's grow-back (or a restore after a file that took none) takes the room another was lent.
    const root = tmpfs(32);
    fs.chmodSync(root, 0o755);
    const dir = path.join(root, 'logs');
    fs.mkdirSync(dir);
    const small = Array.from({ length: 24 }, (_, i) => {
      const file = path.join(dir, `small-${String(i).padStart(2, '0')}.log`);
      return { file, hash: writeLog(file, 48 * 1024 + i * 997) };
    });
    expect(run(['--reserve', '4M', root]).code).toBe(0);
    fillLeaving(root, 400 * 1024);
    const r = run(['-r', '--json', dir]);
    expect(r.code, r.stderr).toBe(0);
    const reports = jsonLines(r.stdout).filter((j) => (j.file as string | undefined)?.endsWith('.log'));
    expect(reports.map((j) => [j.status, j.strategy, j.windows])).toEqual(small.map(() => ['compressed', 'beside', {}]));
    // Each loan grown back by its own file: side by side, one grew back another's, which then grew back nothing.
    const loans = reports.filter((j) => j.reserve).map((j) => j.reserve as { lentBytes: number; grownBackBytes: number });
    expect(loans.length).toBeGreaterThan(0);
    for (const loan of loans) expect(loan.grownBackBytes).toBe(loan.lentBytes);
    expect(fs.statSync(path.join(root, '.cmemgzip-reserve')).size).toBe(4 * MiB);
    for (const s of small) {
      expect(fs.existsSync(s.file)).toBe(false);
      expect(gunzipHash(`${s.file}.gz`)).toBe(s.hash);
    }
  }, 120_000);

  it.skipIf(spawnSync('strace', ['-V']).error)('removals let through by one holder check share a folder fsync; each .gz is whole and each FILE gone', () => {
    // Room for the files in flight side by side (file-pool.ts): else they go one at a time, sharing nothing.
    const dir = tmpfs(64);
    const small = smallLogs(dir, 40);
    const trace = path.join(tmpfs(8), 'fsync.trace');
    const r = run(['-r', dir], { prefix: ['strace', '-f', '-qq', '-y', '-o', trace, '-e', 'trace=fsync'] });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const s of small) {
      expect(fs.existsSync(s.file)).toBe(false);
      expect(gunzipHash(`${s.file}.gz`)).toBe(s.hash);
    }
    // Each file used to fsync the folder twice, after its rename and after its removal.
    const folderSyncs = fs.readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes(`fsync(`) && l.includes(`<${dir}>)`)).length;
    expect(folderSyncs).toBeGreaterThan(0);
    expect(folderSyncs).toBeLessThan(2 * small.length);
  }, 120_000);

  it.skipIf(spawnSync('strace', ['-V']).error)('-q: each file and its folder are asked once whether they can be read and written, its filesystem probed twice (the space, the room in flight)', () => {
    const dir = tmpfs(64);
    const small = smallLogs(dir, 40);
    const trace = path.join(tmpfs(8), 'probes.trace');
    const r = run(['-q', '-r', dir], { prefix: ['strace', '-f', '-qq', '-o', trace, '-e', 'trace=statfs,access'] });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    for (const s of small) expect(gunzipHash(`${s.file}.gz`)).toBe(s.hash);
    const lines = fs.readFileSync(trace, 'utf8').split('\n');
    const count = (what: string) => lines.filter((l) => l.includes(what)).length;
    for (const s of small) expect(count(`access("${s.file}", R_OK)`), s.file).toBe(1);
    // The .gz's folder is FILE's: asked once whether entries can be made there, not once as each.
    expect(count(`access("${dir}", W_OK)`)).toBe(small.length);
    // It was four a file: FILE's folder and the .gz's (the same) probed apart, and again for a line -q never shows.
    expect(count(`statfs("${dir}"`)).toBeLessThanOrEqual(2 * small.length);
  }, 120_000);
});
