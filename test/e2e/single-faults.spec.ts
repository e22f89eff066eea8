// One injected fault (strace -e inject=) at the calls that used to lose or strand data: after each, every
// byte still exists, and the operator's rule holds: a plain rerun finishes the job.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { stateFolderName } from '../../src/probe/own-folder.js';
import { hiddenName } from '../../src/steps/hide-source.js';
import { fill, killAt, fillLeaving, gunzipHash, journalBesideOf, jsonLines, logData, mountFs, mountSkipReason, recordKeyOf, run, sha256, sha256File, STATE_DIR, stashManifestFor, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const hasStrace = () => spawnSync('strace', ['-V']).status === 0;
const skip = mountSkipReason() ?? (hasStrace() ? undefined : 'no strace: the single-fault injection tests are SKIPPED');

/** strace, tracing only `calls` on what `watched` names (a file or folder: its descriptors too), injecting `fault` at the `when`-th. */
const inject = (watched: string, calls: string, fault: string, when: number) => ['strace', '-f', '-qq', '-o', '/dev/null', '-P', watched, '-e', `trace=${calls}`, '-e', `inject=${calls}:${fault}:when=${when}`];

const mounts: Mounted[] = [];
const mount = (kind: 'tmpfs' | 'ext4', sizeMiB: number) => {
  const m = mountFs(kind, sizeMiB);
  mounts.push(m);
  return m;
};

describe.skipIf(warnSkip(skip))('single injected faults', () => {
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));

  /** A log on a fresh filesystem, filled to 0 free unless `room` is given; returns its path and hash. */
  function prepare(room?: number, kind: 'tmpfs' | 'ext4' = 'tmpfs') {
    const m = mount(kind, 24);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 6 * MiB);
    if (room === undefined) fill(m.dir);
    else fillLeaving(m.dir, room);
    return { m, log, gz: `${log}.gz`, hash };
  }

  it('--copytruncate, EIO on the fsync after the truncation: the .gz keeps every byte (it used to be removed)', () => {
    const { log, gz, hash } = prepare(4 * MiB);
    const r = run(['--copytruncate', log], { prefix: inject(log, 'fsync', 'error=EIO', 1) });
    expect(r.stderr).toMatch(/fsync/);
    expect(fs.statSync(log).size).toBe(0);
    expect(gunzipHash(gz)).toBe(hash);
  });

  it.each(['EIO', 'ENOSPC'])('block mode, %s on taking FILE off its name: the hidden link is undone, the run goes on under FILE and finishes (it was stranded: two names, no journal)', (fault) => {
    const { log, gz, hash } = prepare(4 * MiB);
    // The run unlinks through its pinned folder (/proc/self/fd/N/app.log): each N it may use is watched too.
    const pinned = Array.from({ length: 40 }, (_, n) => ['-P', `/proc/self/fd/${n}/app.log`]).flat();
    const [strace, ...rest] = inject(log, 'unlink', `error=${fault}`, 1);
    const r = run(['-m', '1M', '--no-stash', log], { prefix: [strace, ...pinned, ...rest] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${log} stays under its name (${fault} taking it off)`);
    expect(gunzipHash(gz)).toBe(hash);
    expect(fs.readdirSync(path.dirname(log)).filter((f) => f !== '.filler')).toEqual(['app.log.gz']);
  });

  it("block mode's one-block window, EIO on the fsync after the cut: the block is written back, a rerun makes the whole .gz", () => {
    const { log, gz, hash } = prepare();
    const args = ['-m', '256K', '--no-stash', '--yes', log];
    const r = run(args, { prefix: inject(log, 'fsync', 'error=EIO', 1) });
    expect(r.code, r.stderr).toBe(1);
    expect(sha256File(log)).toBe(hash);
    const again = run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(gunzipHash(gz)).toBe(hash);
  });

  it.each(['EIO', 'ENOSPC'])("block mode's one-block window, %s on the close of the first part after its fsync: nothing lost, the job goes on (it used to write the block back short)", (errno) => {
    const { log, gz, hash } = prepare();
    // 6 MiB in 256 KiB blocks: the tail is block 23, its part the first one written.
    const part = path.join(journalBesideOf(log), 'part-00000023.gz');
    const r = run(['-m', '256K', '--no-stash', '--yes', log], { prefix: inject(part, 'close', `error=${errno}`, 1) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(gunzipHash(gz)).toBe(hash);
    expect(fs.existsSync(log)).toBe(false);
  });

  it('stash mode, EIO on the folder fsync after the rename: no partial FILE is made beside the good .gz; a rerun finishes', () => {
    const { m, log, gz, hash } = prepare();
    const stash = mount('tmpfs', 16);
    const r = run(['--stash', stash.dir, log], { prefix: inject(m.dir, 'fsync', 'error=EIO', 1) });
    expect(r.code, r.stderr).toBe(1);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(gz)).toBe(hash);
    const again = run(['--json', log]);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonLines(again.stdout)[0]).toMatchObject({ status: 'resumed' });
    expect(fs.existsSync(log)).toBe(false);
    expect(fs.readdirSync(stash.dir)).toEqual([]);
  });

  it('beside (streamed), EIO on the folder fsync after the rename: the .gz is whole under its name, and a plain rerun removes FILE', () => {
    const { m, log, gz, hash } = prepare(4 * 2 ** 20);
    const r = run([log], { prefix: inject(m.dir, 'fsync', 'error=EIO', 1) });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/complete and verified, but making its name durable failed/);
    expect(gunzipHash(gz)).toBe(hash);
    const again = run(['--json', log]);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonLines(again.stdout)[0]).toMatchObject({ status: 'resumed' });
    expect(fs.existsSync(log)).toBe(false);
  });

  it('block mode, lines appended just before a cut, saved as a part, then a kill before the cut: the rerun keeps them once, not twice', async () => {
    const { log, gz } = prepare(16 * MiB);
    const original = fs.readFileSync(log);
    await killAt(['-m', '1M', '--no-stash', log], 'block 2: cut it off FILE, fsync');
    // What the run leaves when killed between saving a writer's lines as a part and the cut: the lines
    // still in FILE past block 2 (saved, not cut), and a part for them after the tail, recorded where they sat.
    // Block mode had moved FILE off its name before its first cut: the lines sit in the file under its hidden name.
    const source = hiddenName(log);
    const journal = journalBesideOf(source);
    const manifestPath = path.join(journal, 'manifest.json');
    const m = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
    const lines = Buffer.from('a line appended just before the cut\n'.repeat(100));
    const at = fs.statSync(source).size;
    fs.appendFileSync(source, lines);
    const member = zlib.gzipSync(lines);
    const index = Math.max(...m.parts.map((p: { index: number }) => p.index)) + 1;
    fs.writeFileSync(path.join(journal, `part-${String(index).padStart(8, '0')}.gz`), member, { mode: 0o600 });
    m.parts.push({ index, offset: m.size, length: lines.length, crc: zlib.crc32(lines), compressedSize: member.length, at });
    m.size += lines.length;
    fs.writeFileSync(manifestPath, JSON.stringify(m), { mode: 0o600 });
    const again = run(['-m', '1M', '--no-stash', log]);
    expect(again.code, again.stderr).toBe(0);
    expect(sha256(execFileSync('gzip', ['-dc', gz], { maxBuffer: 2 ** 30 }))).toBe(sha256(Buffer.concat([original, lines])));
  });

  it('a --stash job killed right after its rename: a plain rerun (no --stash) finds it by its note and finishes', () => {
    const { m, log, gz, hash } = prepare();
    const stash = mount('tmpfs', 16);
    const r = run(['--stash', stash.dir, log], { prefix: inject(m.dir, 'fsync', 'signal=SIGKILL', 1) });
    expect(r.signal ?? r.code).not.toBe(0);
    expect(fs.readdirSync(stash.dir)).toEqual([stateFolderName()]);
    const again = run(['--json', log]);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonLines(again.stdout)[0]).toMatchObject({ status: 'resumed' });
    expect(gunzipHash(gz)).toBe(hash);
    expect(fs.readdirSync(stash.dir)).toEqual([]);
  });

  it('beside, killed between the rename and the unlink: a plain rerun removes FILE, whose bytes the .gz holds (it used to refuse: "already exists")', () => {
    const { m, log, gz, hash } = prepare(4 * MiB);
    run([log], { prefix: inject(m.dir, 'fsync', 'signal=SIGKILL', 1) });
    expect(sha256File(log)).toBe(hash);
    expect(gunzipHash(gz)).toBe(hash);
    const again = run(['--json', log]);
    expect(again.code, again.stderr).toBe(0);
    expect(jsonLines(again.stdout)[0]).toMatchObject({ status: 'resumed' });
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(gz)).toBe(hash);
  });

  it('--copytruncate through the stash, killed at its truncation: a rerun finishes (it used to fail with ENOSPC forever)', () => {
    const { log, gz, hash } = prepare();
    const stash = mount('tmpfs', 16);
    const args = ['--copytruncate', '--stash', stash.dir, log];
    const r = run(args, { prefix: inject(log, 'ftruncate', 'signal=SIGKILL', 1) });
    expect(r.signal ?? r.code).not.toBe(0);
    expect(sha256File(log)).toBe(hash);
    const again = run(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('was never truncated');
    expect(fs.statSync(log).size).toBe(0);
    expect(gunzipHash(gz)).toBe(hash);
  });

  it("a 'rewriting' stash for a FILE with a hole at its head, at 0 free: --resume cannot overwrite the hole, so it writes the .gz from the stash", () => {
    const m = mount('ext4', 24);
    const stash = mount('tmpfs', 16);
    const log = path.join(m.dir, 'app.log');
    // What a writer without O_APPEND leaves after a copytruncate: a hole, then its new lines.
    const tail = logData(2 * MiB);
    const fd = fs.openSync(log, 'w');
    fs.writeSync(fd, tail, 0, tail.length, 6 * MiB);
    fs.closeSync(fd);
    const content = fs.readFileSync(log);
    const st = fs.statSync(log);
    expect(st.blocks * 512).toBeLessThan(st.size);
    const gz = execFileSync('gzip', ['-c'], { input: content, maxBuffer: 2 ** 30 });
    const folder = path.join(stash.dir, stateFolderName());
    fs.mkdirSync(folder, { mode: 0o700 });
    fs.writeFileSync(path.join(folder, `${recordKeyOf(log)}.gz`), gz);
    const manifest = stashManifestFor(log, { size: content.length, crc: zlib.crc32(content), compressedSize: gz.length });
    fs.writeFileSync(path.join(folder, `${recordKeyOf(log)}.json`), JSON.stringify(manifest));
    fill(m.dir);
    const r = run(['--resume', '--stash', stash.dir, log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('ran out of room');
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(sha256(content));
    expect(fs.readdirSync(stash.dir)).toEqual([]);
  });

  it('a stash left by a kill before the rewrite, after which the log grew: a plain rerun compresses it all (it used to fail with EEXIST)', () => {
    const { m, log, gz } = prepare();
    const stash = mount('tmpfs', 16);
    // Killed as the manifest is about to say "rewriting": the stash is complete, FILE untouched.
    const manifest = path.join(stash.dir, stateFolderName(), `${recordKeyOf(log)}.json`);
    // strace -P matches a rename by its source: the manifest's temporary.
    const r = run(['--stash', stash.dir, log], { prefix: inject(`${manifest}.tmp`, 'rename', 'signal=SIGKILL', 2) });
    expect(r.signal ?? r.code).not.toBe(0);
    expect(JSON.parse(fs.readFileSync(manifest, 'utf8'))).toMatchObject({ phase: 'stashed' });
    fs.rmSync(path.join(m.dir, '.filler'));
    fs.appendFileSync(log, 'a line written after the kill\n');
    const grown = sha256File(log);
    const again = run(['--stash', stash.dir, log]);
    expect(again.code, again.stderr).toBe(0);
    expect(gunzipHash(gz)).toBe(grown);
    expect(fs.readdirSync(STATE_DIR)).toEqual([]);
  });
});
