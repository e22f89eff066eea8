// Block mode end to end: round trips through every common gzip reader, 0 bytes free on tmpfs and ext4,
// --simulate, bad -m values, the refusals (holders, hard links, a writer appending), and peak memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stateFolderName } from '../../src/probe/own-folder.js';
import { blockStep } from '../../src/plan/steps.js';
import { STEP } from '../../src/steps/step-names.js';
import { hiddenName } from '../../src/steps/hide-source.js';
import {
  fill,
  freeBytes,
  gunzipHash,
  journalBesideOf,
  killAt,
  onlyReport,
  logData,
  mountFs,
  mountSkipReason,
  recordKeyOf,
  run,
  sha256,
  sleep,
  start,
  treeHash,
  warnSkip,
  watch,
  writeLog,
  type Mounted,
  type RunResult,
} from './helpers.js';

const KiB = 1024;
const MiB = 2 ** 20;

/** Every path below dir, relative, except what mkfs itself puts there. */
function entries(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((p) => !p.startsWith('lost+found')).sort();
}

const decode = (cmd: string, args: string[], gz: string) => sha256(execFileSync(cmd, [...args, gz], { maxBuffer: 2 ** 30 }));

/** Python's gzip module: the content's hash and how many members the file holds (one per block). */
function pythonGzip(gz: string): { hash: string; members: number } {
  const script = `
import gzip, hashlib, sys, zlib
data = open(sys.argv[1], 'rb').read()
members = 0
rest = data
while rest:
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    d.decompress(rest)
    if not d.eof: sys.exit('truncated member')
    members += 1
    rest = d.unused_data
print(hashlib.sha256(gzip.decompress(data)).hexdigest(), members)
`;
  const [hash, members] = execFileSync('python3', ['-c', script, gz], { encoding: 'utf8', maxBuffer: 2 ** 30 }).trim().split(' ');
  return { hash, members: Number(members) };
}

/** The file's content as each reader sees it: system gzip, pigz, busybox and Python must agree byte for byte. */
function everyReader(gz: string): Record<string, string> {
  execFileSync('gzip', ['-t', gz]);
  return {
    gzip: gunzipHash(gz),
    pigz: decode('pigz', ['-dc'], gz),
    busybox: decode('busybox', ['gunzip', '-c'], gz),
    python: pythonGzip(gz).hash,
  };
}

/** Polls until cond holds; a test must never wait forever. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe.skipIf(warnSkip(mountSkipReason()))('block mode', () => {
  const mounts: Mounted[] = [];
  const children: ChildProcess[] = [];
  let m: Mounted;
  let dir: string;
  const mount = (kind: 'tmpfs' | 'ext4', sizeMiB: number) => {
    const x = mountFs(kind, sizeMiB);
    mounts.push(x);
    return x;
  };
  beforeAll(() => {
    m = mount('tmpfs', 96);
  });
  afterAll(() => mounts.forEach((x) => x.unmount()));
  afterEach(() => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  /** A fresh folder per test on the shared tmpfs, so that treeHash sees only this test's files. */
  const fresh = () => {
    dir = fs.mkdtempSync(path.join(m.dir, 't-'));
    return dir;
  };

  describe('round trips, byte for byte, through gzip, pigz, busybox and Python', () => {
    const MTIME = new Date('2021-05-06T07:08:09.500Z');
    const cases = [
      ['-m 64K', 64 * KiB, 0, 'empty'],
      ['-m 64K', 64 * KiB, 1000, 'smaller than one block'],
      ['-m 64K', 64 * KiB, 64 * KiB, 'exactly one block'],
      ['-m 64K', 64 * KiB, 128 * KiB, 'exactly two blocks'],
      ['-m 64K', 64 * KiB, 5 * 64 * KiB + 123, 'not a multiple of the block'],
      ['-m 1M', MiB, 0, 'empty'],
      ['-m 1M', MiB, 1, 'one byte'],
      ['-m 1M', MiB, MiB, 'exactly one block'],
      ['-m 1M', MiB, 2 * MiB, 'exactly two blocks'],
      ['-m 1M', MiB, 3 * MiB + 4567, 'not a multiple of the block'],
    ] as const;

    it.each(cases)('%s (block %d): %d bytes, %s', (flag, block, size) => {
      fresh();
      const log = path.join(dir, 'app.log');
      const hash = writeLog(log, size);
      fs.chownSync(log, 1234, 5678);
      fs.chmodSync(log, 0o640);
      fs.utimesSync(log, MTIME, MTIME);

      const r = run(['--json', '--no-stash', ...flag.split(' '), log]);

      const report = onlyReport(r, 0);
      expect(report).toMatchObject({ status: 'compressed', strategy: 'blocks', originalBytes: size });
      const gz = `${log}.gz`;
      expect(entries(dir)).toEqual(['app.log.gz']);
      expect(fs.statSync(gz).size).toBe(report.compressedBytes);
      expect(everyReader(gz)).toEqual({ gzip: hash, pigz: hash, busybox: hash, python: hash });
      expect(pythonGzip(gz).members, 'one gzip member per block').toBe(Math.max(1, Math.ceil(size / block)));
      const st = fs.statSync(gz);
      expect({ uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, mtimeMs: st.mtimeMs }).toEqual({ uid: 1234, gid: 5678, mode: 0o640, mtimeMs: MTIME.getTime() });

      // gunzip -N takes the name and mtime from the first member's header, whatever the .gz is called.
      const elsewhere = path.join(dir, 'n');
      fs.mkdirSync(elsewhere);
      fs.copyFileSync(gz, path.join(elsewhere, 'renamed.gz'));
      execFileSync('gzip', ['-d', '-N', path.join(elsewhere, 'renamed.gz')]);
      expect(fs.readdirSync(elsewhere)).toEqual(['app.log']);
      expect(Math.floor(fs.statSync(path.join(elsewhere, 'app.log')).mtimeMs / 1000)).toBe(Math.floor(MTIME.getTime() / 1000));
    });

    it('an empty file becomes a valid empty .gz, not an empty file', () => {
      fresh();
      const log = path.join(dir, 'empty.log');
      fs.writeFileSync(log, '');
      expect(run(['--no-stash', '-m', '64K', log]).code).toBe(0);
      const gz = fs.readFileSync(`${log}.gz`);
      expect(gz.length).toBeGreaterThanOrEqual(20);
      expect(zlib.gunzipSync(gz).length).toBe(0);
      expect(execFileSync('gzip', ['-dc', `${log}.gz`]).length).toBe(0);
    });

    it('-m=64K and --memory 64K are the same as -m 64K', () => {
      fresh();
      for (const [name, flag] of [['a.log', ['-m=64K']], ['b.log', ['--memory', '64K']]] as const) {
        const log = path.join(dir, name);
        const hash = writeLog(log, 200 * KiB);
        expect(onlyReport(run(['--json', '--no-stash', ...flag, log]), 0).strategy).toBe('blocks');
        expect(gunzipHash(`${log}.gz`)).toBe(hash);
        expect(pythonGzip(`${log}.gz`).members).toBe(4);
      }
    });
  });

  for (const kind of ['tmpfs', 'ext4'] as const) {
    describe(`0 bytes free on ${kind}: a file 3/4 the size of the filesystem, -m 2M`, () => {
      const LOG = 24 * MiB;
      let fsys: Mounted;
      let stash: Mounted;
      let log: string;
      let hash: string;
      beforeAll(() => {
        fsys = mount(kind, 32);
        stash = mount('tmpfs', 8);
        log = path.join(fsys.dir, 'app.log');
      });
      afterEach(() => {
        for (const d of [fsys.dir, stash.dir]) for (const name of entries(d).filter((e) => !e.includes('/'))) fs.rmSync(path.join(d, name), { recursive: true, force: true });
      });
      const prepare = () => {
        hash = writeLog(log, LOG);
        fill(fsys.dir);
        expect(freeBytes(fsys.dir)).toBeLessThan(64 * KiB);
      };
      const compressedAndClean = (r: RunResult) => {
        expect(r.code, r.stdout + r.stderr).toBe(0);
        expect(gunzipHash(`${log}.gz`)).toBe(hash);
        expect(entries(fsys.dir)).toEqual(['.filler', 'app.log.gz']);
        expect(entries(stash.dir)).toEqual([]);
      };

      it('--stash on a small tmpfs: the first part goes there, the journal moves beside once there is room', () => {
        prepare();
        const r = run(['-v', '-m', '2M', '--stash', stash.dir, log]);
        expect(r.stdout).toContain(`first part: in the stash ${stash.dir}`);
        expect(r.stdout).toContain(`journal ${stash.dir}/${stateFolderName()}/`);
        expect(r.stdout).toMatch(/journal moved from the stash to .*\/\.\d+-\d+\.cmemgzip-blocks/);
        expect(r.stdout).toContain('12 block(s) of 2 MiB');
        compressedAndClean(r);
      });

      it('--no-stash --yes: the one-block window, warned', () => {
        prepare();
        const r = run(['--json', '-m', '2M', '--no-stash', '--yes', log]);
        expect(onlyReport(r, 0)).toMatchObject({ status: 'compressed', strategy: 'blocks', window: true });
        expect(r.stderr).toMatch(/one-block window/);
        compressedAndClean(r);
      });

      it.each([
        ['--no-stash without --yes and no terminal', ['--no-stash'], 'WINDOW_REFUSED'],
        ['--safe --no-stash', ['--safe', '--no-stash', '--yes'], 'NO_STASH'],
      ])('%s: refused (exit 1), nothing touched', (_what, args, code) => {
        prepare();
        const before = [treeHash(fsys.dir), treeHash(stash.dir)];
        const r = run(['--json', '-m', '2M', ...args, log]);
        expect(onlyReport(r, 1).error).toMatchObject({ code });
        expect([treeHash(fsys.dir), treeHash(stash.dir)]).toEqual(before);
      });

      it('--simulate shows the block plan and changes nothing', () => {
        prepare();
        const before = [treeHash(fsys.dir), treeHash(stash.dir)];
        const r = run(['--simulate', '-m', '2M', '--stash', stash.dir, log]);
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toContain('strategy: blocks: -m sets the block size to 2 MiB (2,097,152 bytes)');
        expect(r.stdout).toMatch(/12 block\(s\) of 2 MiB \(2,097,152 bytes\), tail first; peak memory about [\d.]+ MiB/);
        expect(r.stdout).toMatch(/estimated \.gz from a sample: [\d.]+ MiB .*\(\d+\.\d%\)/);
        expect(r.stdout).toContain(`first part: in the stash ${stash.dir} (the disk is full); would free about`);
        expect([treeHash(fsys.dir), treeHash(stash.dir)]).toEqual(before);
      });
    });
  }

  it('--simulate with room: first part beside, with the space it needs; --json says simulated; nothing changes', () => {
    fresh();
    const log = path.join(dir, 'app.log');
    writeLog(log, 5 * MiB + 1);
    const before = treeHash(dir);
    const human = run(['--simulate', '--no-stash', '-m', '1M', log]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/6 block\(s\) of 1 MiB/);
    expect(human.stdout).toMatch(/first part: beside the file \([\d.]+ [KM]iB \([\d,]+ bytes\) free needed at the start\); would free about [\d.]+ MiB/);
    expect(onlyReport(run(['--json', '--simulate', '--no-stash', '-m', '1M', log]), 0)).toMatchObject({ status: 'simulated', strategy: 'blocks' });
    expect(treeHash(dir)).toBe(before);
  });

  it('a run killed before its first manifest: the rerun (whole-file here) removes its empty journal folders', () => {
    fresh();
    const stash = mount('tmpfs', 4);
    const log = path.join(dir, 'app.log');
    const hash = writeLog(log, MiB);
    const folders = [journalBesideOf(log), path.join(stash.dir, stateFolderName(), `${recordKeyOf(log)}.blocks`)];
    for (const folder of folders) {
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(folder, 'manifest.json.tmp'), '{"version":1,"ki');
    }
    const r = run(['--json', '--stash', stash.dir, log]);
    expect(onlyReport(r, 0)).toMatchObject({ status: 'compressed', strategy: 'beside' });
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
    expect(entries(dir)).toEqual(['app.log.gz']);
    expect(entries(stash.dir)).toEqual([]);
  });

  it('a run killed in the one-block window after its part was written: the rerun refuses, the part is kept and puts the file back', () => {
    fresh();
    const log = path.join(dir, 'app.log');
    const original = logData(5 * MiB + 777);
    // What the window leaves if killed between the durable part and its manifest: FILE cut at block 2, part 2, no manifest.
    fs.writeFileSync(log, original.subarray(0, 4 * MiB));
    const folder = journalBesideOf(log);
    fs.mkdirSync(folder, { mode: 0o700 });
    fs.writeFileSync(path.join(folder, 'part-00000002.gz'), zlib.gzipSync(original.subarray(4 * MiB)));
    const before = treeHash(dir);

    const r = run(['--json', '--no-stash', '--yes', '-m', '2M', log]);

    expect(onlyReport(r, 1).error).toMatchObject({ code: 'CHANGED', message: expect.stringContaining('part-00000002.gz but no manifest') });
    expect(treeHash(dir)).toBe(before);
    // The operator follows the hint: the file is whole again and compresses.
    fs.appendFileSync(log, execFileSync('gzip', ['-dc', path.join(folder, 'part-00000002.gz')], { maxBuffer: 2 ** 30 }));
    fs.rmSync(folder, { recursive: true });
    expect(run(['--no-stash', '-m', '2M', log]).code).toBe(0);
    expect(gunzipHash(`${log}.gz`)).toBe(sha256(original));
  });

  describe('bad -m values: exit 1 before anything is touched', () => {
    it.each([
      [['-m', '0'], /argument '0' is invalid/],
      [['-m=0'], /is invalid/],
      [['-m', 'abc'], /argument 'abc' is invalid.*64M or 1G/],
      [['-m', '1k'], /at least 64K/],
      [['-m', '65535'], /at least 64K/],
    ])('%j', (args, message) => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 300 * KiB);
      const before = treeHash(dir);
      const r = run([...args, '--no-stash', log]);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(treeHash(dir)).toBe(before);
    });

    it.each([[['-m', '1T']], [['--memory=1T']], [['-m', '1T', '--yes', '-f']]])('%j: beyond memory, NO_MEMORY from the plan', (args) => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 300 * KiB);
      const before = treeHash(dir);
      const r = run(['--json', ...args, '--no-stash', log]);
      const report = onlyReport(r, 1);
      expect(report.error).toMatchObject({ code: 'NO_MEMORY', hint: expect.stringMatching(/smaller -m/) });
      expect(report.error.message).toMatch(/blocks of 1 TiB \(1,099,511,627,776 bytes\) need about .+ of memory, .+ are available/);
      expect(treeHash(dir)).toBe(before);
    });
  });

  describe('refusals hold in block mode', () => {
    it('a process holding the file: HELD_OPEN, exit 1, untouched', async () => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 300 * KiB);
      const holder = spawn('bash', ['-c', 'exec 3>>"$0"; echo ready; exec sleep 30', log], { stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(holder);
      await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
      const before = treeHash(dir);
      const r = run(['--json', '--no-stash', '-m', '64K', log]);
      expect(onlyReport(r, 1).error).toMatchObject({ code: 'HELD_OPEN' });
      expect(r.stderr).toContain(String(holder.pid));
      expect(treeHash(dir)).toBe(before);
    });

    it.each([[[]], [['-f']]])('hard links %j: HARD_LINKS, exit 1, neither name touched', (extra) => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 300 * KiB);
      fs.linkSync(log, path.join(dir, 'other-name.log'));
      const before = treeHash(dir);
      const r = run(['--json', '--no-stash', '-m', '64K', ...extra, log]);
      expect(onlyReport(r, 1).error).toMatchObject({ code: 'HARD_LINKS' });
      expect(treeHash(dir)).toBe(before);
    });

    it('-k: refused in block mode, untouched', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 300 * KiB);
      const before = treeHash(dir);
      expect(onlyReport(run(['--json', '--no-stash', '-m', '64K', '-k', log]), 1).error).toMatchObject({ code: 'BAD_OPTION' });
      expect(treeHash(dir)).toBe(before);
    });

    it.each([
      ['compressing', 'journal '],
      ['assembling', 'is now empty'],
    ])('a second cmemgzip on the same file while the first is %s: refused, the first finishes intact', async (_phase, line) => {
      fresh();
      const log = path.join(dir, 'app.log');
      const hash = writeLog(log, 48 * MiB);
      const first = watch(start(['--no-stash', '-m', '64K', log]));
      children.push(first.child);
      await first.waitFor(line);
      const second = run(['--json', '--no-stash', '-m', '64K', log]);
      expect(onlyReport(second, 1).error).toMatchObject({ code: 'HELD_OPEN', message: expect.stringContaining(`another cmemgzip (PID ${first.child.pid})`) });
      expect((await first.exited).code, first.output()).toBe(0);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
      expect(entries(dir)).toEqual(['app.log.gz']);
    });

    /**
     * A writer that opens, appends and closes between blocks (no holder to see): FILE is off its name before
     * the first cut, so its lines start a new FILE and no cut can take one (cut in place, 1.6% of them were
     * lost between the last look at FILE's size and the cut).
     */
    it('a writer appending by name while it runs: its lines start a new FILE, none cut away, the job finishes', async () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const original = logData(8 * MiB);
      fs.writeFileSync(log, original);
      const record = path.join(m.dir, `appended-${path.basename(dir)}`);
      const stop = `${record}.stop`;

      const w = watch(start(['-v', '--no-stash', '-m', '64K', log]));
      children.push(w.child);
      await w.waitFor('block 120: ');
      // Stopped while the appender starts, so that its first lines land mid-run however fast the run is.
      await w.freeze();
      // Appends as a logger does, opening the file for each line so that no holder is seen at the start.
      const appender = spawn('bash', ['-c', 'i=0; while [ ! -e "$2" ]; do i=$((i+1)); echo "appended line $i" >> "$0"; echo "appended line $i" >> "$1"; sleep 0.002; done', log, record, stop]);
      children.push(appender);
      await until(() => fs.existsSync(record) && fs.statSync(record).size > 0, 'the appender to write a line');
      w.child.kill('SIGCONT');
      const { code } = await w.exited;
      fs.writeFileSync(stop, '');
      await until(() => appender.exitCode !== null, 'the appender to stop');
      fs.rmSync(stop);

      expect(code, w.output()).toBe(0);
      expect(w.output()).toContain(`moved to ${path.join(dir, '.app.log.cmemgzip-source')} while it is cut`);
      const appended = fs.readFileSync(record);
      fs.rmSync(record);
      // Every byte, in order: the original, then each appended line, in the .gz and then (after the last cut) in FILE.
      const after = fs.existsSync(log) ? fs.readFileSync(log) : Buffer.alloc(0);
      const all = Buffer.concat([execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }), after]);
      if (all.length !== original.length + appended.length) {
        const got = new Set(all.subarray(original.length).toString().split('\n'));
        console.log('MISSING', appended.toString().split('\n').filter((l) => !got.has(l)).join('|'), 'OUT', w.output().split('\n').filter((l) => /grew|block [0-9]+:/.test(l)).slice(-12).join('\n'));
      }
      expect(all.length).toBe(original.length + appended.length);
      expect(sha256(all)).toBe(sha256(Buffer.concat([original, appended])));
      expect(entries(dir).filter((e) => e.includes('cmemgzip'))).toEqual([]);
    });

    it('killed once FILE was off its name: a writer by name starts a new FILE; --simulate shows the rerun, which finishes the old job and leaves the new FILE', async () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const original = logData(4 * MiB);
      fs.writeFileSync(log, original);
      await killAt(['--no-stash', '-m', '1M', log], blockStep(1, 'cut'));
      expect(fs.existsSync(log)).toBe(false);
      const lines = Buffer.from('a line appended after the kill\n'.repeat(1000));
      fs.appendFileSync(log, lines);
      const scanned = run(['--scan', '--json', dir]);
      expect(JSON.parse(scanned.stdout.trim().split('\n')[0]).strayRecords?.[0]?.advice, scanned.stdout).toContain(`waits at ${hiddenName(log)}: run cmemgzip --resume ${log}`);
      const before = treeHash(dir);
      const sim = run(['--json', '--simulate', '--no-stash', '-m', '1M', log]);
      const planned = onlyReport(sim, 0);
      expect(planned).toMatchObject({ status: 'simulated', strategy: 'resume' });
      expect(planned.steps.map((x: { name: string }) => x.name)).not.toContain(STEP.hide);
      expect(planned.resume.now).toContain('.app.log.cmemgzip-source holds its first');
      expect(treeHash(dir)).toBe(before);
      const r = run(['--json', '--no-stash', '-m', '1M', log]);
      expect(onlyReport(r, 0)).toMatchObject({ status: 'resumed' });
      expect(r.stderr).toContain('app.log is a new file');
      expect(sha256(execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }))).toBe(sha256(original));
      expect(fs.readFileSync(log).equals(lines)).toBe(true);
      expect(entries(dir)).toEqual(['app.log', 'app.log.gz']);
    });

    it("a run stopped between the hidden link and the unlink of FILE (two names): a plain rerun drops FILE's name and finishes", async () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const original = logData(4 * MiB);
      fs.writeFileSync(log, original);
      await killAt(['--no-stash', '-m', '1M', log], STEP.hide);
      fs.linkSync(log, hiddenName(log)); // what the move leaves when stopped halfway
      const r = run(['--no-stash', '-m', '1M', log]);
      expect(r.code, r.stderr).toBe(0);
      expect(sha256(execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }))).toBe(sha256(original));
      expect(entries(dir)).toEqual(['app.log.gz']);
    });

    it('a hidden FILE whose journal is gone (a RAM stash after a reboot): reported with the mv that brings its head back, never touched', async () => {
      fresh();
      const log = path.join(dir, 'app.log');
      fs.writeFileSync(log, logData(4 * MiB));
      await killAt(['--no-stash', '-m', '1M', log], blockStep(1, 'cut'));
      fs.rmSync(journalBesideOf(hiddenName(log)), { recursive: true });
      const head = sha256(fs.readFileSync(hiddenName(log)));
      const r = run(['--no-stash', '-m', '1M', log]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`no journal proves it one`);
      expect(r.stderr).toContain(`mv ${hiddenName(log)} ${log}.head`);
      expect(sha256(fs.readFileSync(hiddenName(log)))).toBe(head);
    });

    it('a failure once FILE was off its name (EIO at a cut) names the journal and a --resume command that, run as printed, finishes', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const original = logData(4 * MiB);
      fs.writeFileSync(log, original);
      const failCut = ['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=ftruncate', '-e', 'inject=ftruncate:error=EIO:when=2'];
      const r = run(['--no-stash', '-m', '1M', log], { prefix: failCut });
      expect(r.code, r.stderr).toBe(1);
      const printed = /left on purpose on disk: (\S+); finish with: (.+)$/m.exec(r.stderr);
      expect(printed?.[1], r.stderr).toBe(journalBesideOf(hiddenName(log)));
      const again = run(printed![2].split(' ').slice(1));
      expect(again.code, again.stderr).toBe(0);
      expect(sha256(execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }))).toBe(sha256(original));
      expect(entries(dir)).toEqual(['app.log.gz']);
    });

    it('a journal whose FILE grew since the kill (a writer appended meanwhile) is continued, the new lines a longer tail', async () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const original = logData(4 * MiB);
      fs.writeFileSync(log, original);
      // Killed with its journal made and FILE still under its name.
      await killAt(['--no-stash', '-m', '1M', log], STEP.hide);
      const lines = Buffer.from('a line appended after the kill\n'.repeat(1000));
      fs.appendFileSync(log, lines);
      const r = run(['--json', '--no-stash', '-m', '1M', log]);
      expect(onlyReport(r, 0)).toMatchObject({ status: 'resumed' });
      expect(sha256(execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }))).toBe(sha256(Buffer.concat([original, lines])));
      expect(entries(dir)).toEqual(['app.log.gz']);
    });
  });

  it('peak memory: a large file with -m 16M stays under 250 MiB RSS', () => {
    // 1 GiB by default; CMEMGZIP_RSS_MIB makes it smaller on a slow machine.
    const sizeMiB = Number(process.env.CMEMGZIP_RSS_MIB ?? 1024);
    const big = mount('tmpfs', Math.ceil(sizeMiB * 1.3) + 64);
    const log = path.join(big.dir, 'big.log');
    const chunk = logData(16 * MiB);
    const hash = crypto.createHash('sha256');
    const fd = fs.openSync(log, 'w');
    for (let left = sizeMiB * MiB; left > 0; left -= chunk.length) {
      const piece = chunk.subarray(0, Math.min(chunk.length, left));
      fs.writeSync(fd, piece);
      hash.update(piece);
    }
    fs.closeSync(fd);

    const t0 = performance.now();
    const r = run(['--json', '--no-stash', '-m', '16M', log], { prefix: ['/usr/bin/time', '-v'], timeout: 300_000 });
    const seconds = (performance.now() - t0) / 1000;

    expect(onlyReport(r, 0)).toMatchObject({ status: 'compressed', strategy: 'blocks' });
    const kib = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
    console.log(`block mode peak RSS: ${(kib / 1024).toFixed(0)} MiB for a ${sizeMiB} MiB file with -m 16M, ${seconds.toFixed(1)} s`);
    expect(kib).toBeGreaterThan(0);
    expect(kib * 1024).toBeLessThan(250 * MiB);
    const check = execFileSync('bash', ['-c', 'gzip -dc "$0" | sha256sum', `${log}.gz`], { encoding: 'utf8' });
    expect(check.split(' ')[0]).toBe(hash.digest('hex'));
  }, 300_000);
});
