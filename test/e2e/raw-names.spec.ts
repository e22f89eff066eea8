// Names that are not UTF-8 (Latin-1 logs from old systems): compressed by every strategy, -r, -d, -t, -l and
// --simulate as gzip does, under the same bytes; a killed run finished by a plain rerun; shown as \xNN.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fill, fillLeaving, jsonLines, logData, mountFs, mountSkipReason, onlyReport, run, sha256, warnSkip, type Mounted, type RunResult } from './helpers.js';

const MiB = 2 ** 20;

/**
 * Node's spawn encodes every argument as UTF-8, so raw bytes reach the CLI only through a shell: each argument
 * goes as printf %b text (bytes outside printable ASCII as \0NNN) and the shell hands the bytes on.
 */
const RAW = 'for a do set -- "$@" "$(printf %b "$a")"; shift; done; exec "$@"';
const escaped = (arg: string | Buffer) =>
  [...Buffer.from(arg)].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\0${b.toString(8).padStart(3, '0')}`)).join('');
const runRaw = (args: readonly (string | Buffer)[], prefix: readonly (string | Buffer)[] = []): RunResult =>
  run(args.map(escaped), { prefix: ['sh', '-c', RAW, 'sh', ...prefix.map(escaped)] });

const bytesOf = (...parts: (string | Buffer)[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));
/** b'caf\xe9.log' and the like: Latin-1 bytes, not UTF-8. */
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const gunzip = (gz: Buffer) => execFileSync('gzip', ['-dc'], { input: fs.readFileSync(gz), maxBuffer: 2 ** 31 });
/** The FNAME field of the first member's header, as bytes. */
function storedName(gz: Buffer): Buffer | undefined {
  const head = fs.readFileSync(gz).subarray(0, 1024);
  return head[3] & 0x08 ? head.subarray(10, head.indexOf(0, 10)) : undefined;
}
const names = (dir: Buffer) => fs.readdirSync(dir, { encoding: 'buffer' }).map((n) => n.toString('latin1')).sort();

describe.skipIf(warnSkip(mountSkipReason()))('names that are not UTF-8', () => {
  let m: Mounted;
  let dir: Buffer;
  beforeAll(() => (m = mountFs('tmpfs', 24)));
  afterAll(() => m?.unmount());
  /** A fresh folder with b'caf\xe9.log' of `size` bytes of log in it. */
  function fresh(size = 4 * MiB) {
    dir = Buffer.from(fs.mkdtempSync(path.join(m.dir, 't-')));
    const file = bytesOf(dir, latin1('/caf\xe9.log'));
    const data = logData(size);
    fs.writeFileSync(file, data);
    return { file, gz: bytesOf(file, '.gz'), data };
  }
  /** FILE.gz under the raw name, gzip -dc gives the data back, FNAME holds the same bytes, FILE and every temporary gone. */
  function compressedAsGzipWould(file: Buffer, gz: Buffer, data: Buffer) {
    expect(fs.existsSync(file)).toBe(false);
    expect(sha256(gunzip(gz))).toBe(sha256(data));
    expect(storedName(gz)).toEqual(latin1('caf\xe9.log'));
    expect(names(dir)).toEqual([latin1('caf\xe9.log.gz').toString('latin1')]);
  }
  /** gz renamed, then -dN: FILE comes back under the name's bytes stored in the header, and alone. */
  function restoredByName(file: Buffer, gz: Buffer, data: Buffer) {
    const renamed = bytesOf(dir, '/renamed.gz');
    fs.renameSync(gz, renamed);
    const r = runRaw(['-dN', renamed]);
    expect(r.code, r.stderr).toBe(0);
    expect(names(dir)).toEqual([latin1('caf\xe9.log').toString('latin1')]);
    expect(sha256(fs.readFileSync(file))).toBe(sha256(data));
  }
  const freeAll = () => fs.readdirSync(m.dir).filter((n) => n.startsWith('.filler')).forEach((n) => fs.rmSync(path.join(m.dir, n)));

  it.each([
    ['beside', [], 'room'],
    ['stash', [], 'full'],
    ['in-place', ['--no-stash', '--yes'], 'full'],
    ['blocks', ['-m', '256K', '--no-stash', '--yes'], 'full'],
  ] as const)('strategy %s: compressed under the same bytes, as gzip would; --json names it in base64 too', (strategy, args, disk) => {
    const { file, gz, data } = fresh();
    if (disk === 'full') fill(m.dir);
    else fillLeaving(m.dir, 2 * MiB);
    try {
      const report = onlyReport(runRaw(['--json', ...args, file]), 0);
      expect(report.strategy).toBe(strategy);
      expect(Buffer.from(report.fileBytes, 'base64')).toEqual(file);
      expect(Buffer.from(report.outputBytes, 'base64')).toEqual(gz);
      expect(report.file).toBe(`${dir.toString()}/caf\udce9.log`); // JSON's \udce9: Python's surrogateescape
      compressedAsGzipWould(file, gz, data);
    } finally {
      freeAll();
    }
  });

  it('people see \\xNN for the byte, never U+FFFD', () => {
    const { file } = fresh(MiB);
    const r = runRaw([file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${dir.toString()}/caf\\xe9.log -> ${dir.toString()}/caf\\xe9.log.gz`);
    expect(r.stdout + r.stderr).not.toContain('\uFFFD');
  });

  it('two names Node would both read as "caf\\uFFFD.log" are two files: each compressed to its own .gz', () => {
    const { file, data } = fresh(MiB);
    const other = bytesOf(dir, latin1('/caf\xe8.log'));
    const otherData = logData(2 * MiB);
    fs.writeFileSync(other, otherData);
    const r = runRaw([file, other]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(gunzip(bytesOf(file, '.gz')))).toBe(sha256(data));
    expect(sha256(gunzip(bytesOf(other, '.gz')))).toBe(sha256(otherData));
  });

  it('a name of 250 bytes with raw bytes: its temporary is cut to NAME_MAX by bytes, and the .gz made', () => {
    fresh(MiB);
    const file = bytesOf(dir, '/', latin1('\xe9'.repeat(246)), '.log');
    const data = logData(MiB);
    fs.writeFileSync(file, data);
    const r = runRaw(['--no-stash', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(gunzip(bytesOf(file, '.gz')))).toBe(sha256(data));
    expect(fs.existsSync(file)).toBe(false);
  });

  it('-r: a file and a folder whose names are not UTF-8 are walked and compressed like the others (exit 0)', () => {
    const { file, data } = fresh(MiB);
    const folder = bytesOf(dir, latin1('/old\xff'));
    fs.mkdirSync(folder);
    const inside = bytesOf(folder, '/inside.log');
    fs.writeFileSync(inside, data);
    fs.writeFileSync(bytesOf(dir, '/good.log'), data);
    const r = runRaw(['--json', '-r', dir]);
    expect(r.code, r.stderr).toBe(0);
    const reports = jsonLines(r.stdout) as Record<string, any>[];
    expect(reports.map((x) => [Buffer.from(x.fileBytes ?? Buffer.from(x.file).toString('base64'), 'base64').toString('latin1'), x.status])).toEqual([
      [file.toString('latin1'), 'compressed'],
      [bytesOf(dir, '/good.log').toString('latin1'), 'compressed'],
      [inside.toString('latin1'), 'compressed'],
    ]);
    for (const f of [file, inside]) expect(sha256(gunzip(bytesOf(f, '.gz')))).toBe(sha256(data));
  });

  it('-t, -l, --simulate read it; -d gives back the same bytes; -dN restores the stored raw name from a renamed .gz', () => {
    const { file, gz, data } = fresh(MiB);
    const sim = onlyReport(runRaw(['--simulate', '--json', file]), 0);
    expect(sim.status).toBe('simulated');
    expect(fs.existsSync(gz)).toBe(false);
    expect(runRaw([file]).code).toBe(0);
    expect(runRaw(['-t', gz]).code).toBe(0);
    const list = runRaw(['-l', gz]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('caf\\xe9.log');
    expect(runRaw(['-d', gz]).code).toBe(0);
    expect(sha256(fs.readFileSync(file))).toBe(sha256(data));
    expect(fs.existsSync(gz)).toBe(false);
    expect(runRaw([file]).code).toBe(0);
    restoredByName(file, gz, data);
  });

  it("a .gz the system's gzip made of a Latin-1 name, renamed: -dN gives back the very bytes gzip stored", () => {
    const { file, gz, data } = fresh(MiB);
    execFileSync('sh', ['-c', 'gzip -N "$(printf %b "$1")"', 'sh', escaped(file)]);
    restoredByName(file, gz, data);
  });

  describe.skipIf(warnSkip(spawnSync('strace', ['-V']).error ? 'NO strace: the killed runs on raw names are SKIPPED' : undefined))('killed at the rename onto FILE.gz', () => {
    /** Which rename (counted as strace's when= counts them) puts the .gz in place, from a clean run's trace. */
    function renameOntoGz(args: readonly (string | Buffer)[], disk: 'room' | 'full'): number {
      const { file } = fresh();
      if (disk === 'full') fill(m.dir);
      else fillLeaving(m.dir, 2 * MiB);
      const trace = path.join(m.dir, '..', `${path.basename(m.dir)}.trace`);
      try {
        expect(runRaw([...args, file], ['strace', '-qq', '-o', trace, '-e', 'trace=rename']).code).toBe(0);
        const renames = fs.readFileSync(trace, 'latin1').split('\n').filter((l) => l.startsWith('rename('));
        return renames.findIndex((l) => l.includes('\\351.log.gz")')) + 1;
      } finally {
        fs.rmSync(trace, { force: true });
        freeAll();
      }
    }

    /** A --stash folder whose own name is not UTF-8, on another filesystem than the tmpfs, and not a default place. */
    let stashBase: string;
    beforeAll(() => (stashBase = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-raw-stash-'))));
    afterAll(() => fs.rmSync(stashBase, { recursive: true, force: true }));
    function rawStash(): Buffer {
      const dir = bytesOf(fs.mkdtempSync(path.join(stashBase, 't-')), latin1('/st\xe9'));
      fs.mkdirSync(dir);
      return dir;
    }
    it.each([
      ['beside (a complete temporary left)', () => ['--no-stash'], 'room', 2, 'data'],
      ['stash (FILE holds the .gz, the stash is "rewriting")', () => [], 'full', 1, 'gz'],
      ['--stash in a folder whose name is not UTF-8 (found again through the note)', () => ['--stash', rawStash()], 'full', 1, 'gz'],
      ['block mode (FILE cut, its journal and the assembled .gz beside it)', () => ['-m', '256K', '--no-stash', '--yes'], 'full', 3, 'cut'],
    ] as const)('%s: a plain rerun finds it by dev-ino and finishes', (_what, argsFor, disk, entries, head) => {
      const args = argsFor();
      const when = renameOntoGz(args, disk);
      expect(when).toBeGreaterThan(0);
      const { file, gz, data } = fresh();
      if (disk === 'full') fill(m.dir);
      else fillLeaving(m.dir, 2 * MiB);
      try {
        const killed = runRaw([...args, file], ['strace', '-qq', '-o', '/dev/null', '-e', 'trace=rename', '-e', `inject=rename:signal=SIGKILL:when=${when}`]);
        expect(killed.code).not.toBe(0);
        expect(fs.existsSync(gz)).toBe(false);
        expect(names(dir)).toHaveLength(entries); // FILE, and what the run made beside it
        // Block mode moves FILE off its name before its first cut.
        const left = fs.readFileSync(head === 'cut' ? bytesOf(dir, latin1('/.caf\xe9.log.cmemgzip-source')) : file);
        if (head === 'cut') expect(left.length).toBeLessThan(data.length);
        else expect(left.subarray(0, 2)).toEqual(head === 'gz' ? Buffer.from([0x1f, 0x8b]) : data.subarray(0, 2));
        const again = runRaw([file]); // plain: no --stash, whatever the killed run was given
        expect(again.code, again.stdout + again.stderr).toBe(0);
        compressedAsGzipWould(file, gz, data);
      } finally {
        freeAll();
      }
    });
  });
});
