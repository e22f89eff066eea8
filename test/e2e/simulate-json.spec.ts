// End to end, the run's outputs: --simulate changes nothing and predicts the real run's figures, --json is
// one object per operand and nothing else, exit codes in mixed runs, -q, -t, -V and the -m spellings.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fill,
  freeBytes,
  gunzipHash,
  jsonLines,
  logData,
  mountFs,
  mountSkipReason,
  ROOT,
  run,
  treeHash,
  warnSkip,
  writeLog,
  type Mounted,
} from './helpers.js';

const MiB = 2 ** 20;

describe.skipIf(warnSkip(mountSkipReason()))('simulate, json, exit codes, -q, -t, -V, -m', () => {
  let stash: Mounted;
  let m: Mounted;
  const mounts: Mounted[] = [];
  beforeAll(() => {
    stash = mountFs('tmpfs', 16);
  });
  afterAll(() => stash?.unmount());
  afterEach(() => mounts.splice(0).forEach((x) => x.unmount()));

  /** A fresh tmpfs as this test's m, unmounted after it. */
  function mount(sizeMiB: number): void {
    m = mountFs('tmpfs', sizeMiB);
    mounts.push(m);
  }

  /** A fresh 40 MiB tmpfs holding one 12 MiB log, filled to 0 bytes free when asked. */
  function setup(full: boolean) {
    mount(40);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 12 * MiB);
    if (full) fill(m.dir);
    return { log, hash };
  }

  const scenarios = [
    { strategy: 'beside', full: false, args: () => ['--no-stash'] },
    { strategy: 'stash', full: true, args: () => ['--stash', stash.dir] },
    { strategy: 'in-place', full: true, args: () => ['--no-stash', '--yes'] },
  ];

  it.each(scenarios)('$strategy: -s, --simulate, --dry-run change nothing and predict the real run exactly', ({ strategy, full, args }) => {
    const { log, hash } = setup(full);
    const before = [treeHash(m.dir), treeHash(stash.dir)];

    const predicted = ['-s', '--simulate', '--dry-run'].map((flag) => {
      const r = run([flag, ...args(), log]);
      expect(r.code, r.stderr).toBe(0);
      expect([treeHash(m.dir), treeHash(stash.dir)], `${flag} changed something`).toEqual(before);
      expect(r.stdout).toMatch(new RegExp(`strategy: ${strategy}: \\S`));
      expect(r.stdout).toMatch(/free of/);
      expect(r.stdout).toMatch(/memory: needs .* available/);
      expect(r.stdout).toMatch(/no other process holds it open/);
      expect(r.stdout).toMatch(/would free .*\d bytes/);
      const figure = /compressed: .*\(([\d,]+) bytes\), ([\d.]+)% of the original/.exec(r.stdout);
      expect(figure, r.stdout).not.toBeNull();
      return Number(figure![1].replace(/,/g, ''));
    });
    expect(new Set(predicted).size).toBe(1);

    const sim = jsonLines(run(['-s', '--json', ...args(), log]).stdout);
    expect(sim).toHaveLength(1);
    expect(sim[0]).toMatchObject({ status: 'simulated', strategy, originalBytes: 12 * MiB, compressedBytes: predicted[0] });
    expect([treeHash(m.dir), treeHash(stash.dir)]).toEqual(before);

    const real = run(['--json', ...args(), log]);
    expect(real.code, real.stderr).toBe(0);
    expect(jsonLines(real.stdout)[0]).toMatchObject({ status: 'compressed', strategy, compressedBytes: predicted[0] });
    expect(fs.statSync(`${log}.gz`).size).toBe(predicted[0]);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });

  // freedBytes was the plan's estimate: -4096 or -8192 for a small file that freed its block, as the .gz took one.
  it.each(scenarios)('$strategy: --json freedBytes is what the filesystem really got back, by statfs on a private tmpfs', ({ full, args }) => {
    const { log } = setup(full);
    const before = freeBytes(m.dir);
    const r = run(['--json', ...args(), log]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(r.stdout)[0].freedBytes).toBe(freeBytes(m.dir) - before);
  });

  it('--json freedBytes of a small file whose one block became the .gz\'s one block is 0, not minus a block', () => {
    mount(8);
    const small = path.join(m.dir, 'small.log');
    fs.writeFileSync(small, 'six b\n');
    const before = freeBytes(m.dir);
    const r = run(['--json', small]);
    expect(r.code, r.stderr).toBe(0);
    expect([jsonLines(r.stdout)[0].freedBytes, freeBytes(m.dir) - before]).toEqual([0, 0]);
  });

  it('--json: exactly one object per operand on stdout, with the figures, the error or the warning', () => {
    const { log, hash } = setup(false);
    const gz = path.join(m.dir, 'old.gz');
    fs.writeFileSync(gz, execFileSync('gzip', ['-c'], { input: logData(1000) }));
    const missing = path.join(m.dir, 'missing.log');

    const r = run(['--json', log, missing, gz]);

    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(3);
    const [ok, failed, skipped] = lines.map((l) => JSON.parse(l) as Record<string, any>);

    expect(ok).toMatchObject({ file: log, status: 'compressed', strategy: 'beside', originalBytes: 12 * MiB, output: `${log}.gz` });
    expect(ok.compressedBytes).toBe(fs.statSync(`${log}.gz`).size);
    expect(ok.ratio).toBeCloseTo(ok.compressedBytes / ok.originalBytes, 10);
    expect(ok.timings.total).toBeGreaterThanOrEqual(0);
    for (const step of ['probe', 'compress', 'total']) expect(typeof ok.timings[step], step).toBe('number');
    expect(ok.error).toBeUndefined();
    expect(gunzipHash(`${log}.gz`)).toBe(hash);

    expect(failed).toMatchObject({ file: missing, status: 'failed', error: { code: 'ENOENT' } });
    expect(failed.error.message).toMatch(/no such file/);
    expect(typeof failed.timings.total).toBe('number');

    expect(skipped).toMatchObject({ file: gz, status: 'skipped', warning: { code: 'HAS_SUFFIX' } });
  });

  describe('exit codes of mixed runs', () => {
    const cases = [
      { name: 'all compressed', operands: ['a.log', 'b.log'], exit: 0 },
      { name: 'compressed and a suffix notice (gzip exits 0)', operands: ['a.log', 'old.gz'], exit: 0 },
      { name: 'a warning and an error', operands: ['old.gz', 'missing.log'], exit: 1 },
      { name: 'compressed and an error', operands: ['a.log', 'missing.log', 'b.log'], exit: 1 },
    ];
    it.each(cases)('$name: exit $exit', ({ operands, exit }) => {
      mount(16);
      writeLog(path.join(m.dir, 'a.log'), MiB);
      writeLog(path.join(m.dir, 'b.log'), MiB);
      fs.writeFileSync(path.join(m.dir, 'old.gz'), execFileSync('gzip', ['-c'], { input: logData(1000) }));
      const r = run(['--json', ...operands.map((o) => path.join(m.dir, o))]);
      expect(r.code, r.stderr).toBe(exit);
      expect(jsonLines(r.stdout)).toHaveLength(operands.length);
    });
  });

  describe('-q', () => {
    it('prints nothing at all on success', () => {
      const { log, hash } = setup(true);
      const r = run(['-q', '--no-stash', '--yes', log]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('');
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
    });

    it('still prints the error on a failure', () => {
      mount(16);
      const r = run(['-q', path.join(m.dir, 'missing.log')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/error: .*missing\.log: no such file/);
    });
  });

  describe('-t / --test', () => {
    /** good.gz from the system's gzip, ours.gz from cmemgzip, corrupt.gz with a flipped middle byte, truncated.gz cut in half. */
    function gzFiles() {
      mount(32);
      const data = logData(4 * MiB);
      const good = execFileSync('gzip', ['-c'], { input: data, maxBuffer: 64 * MiB });
      const file = (name: string, content: Buffer) => {
        const p = path.join(m.dir, name);
        fs.writeFileSync(p, content);
        return p;
      };
      const corrupt = Buffer.from(good);
      corrupt[corrupt.length >> 1] ^= 0xff;
      const paths = {
        good: file('good.gz', good),
        corrupt: file('corrupt.gz', corrupt),
        truncated: file('truncated.gz', good.subarray(0, good.length >> 1)),
        ours: path.join(m.dir, 'ours.log.gz'),
      };
      fs.writeFileSync(path.join(m.dir, 'ours.log'), data);
      expect(run(['-q', path.join(m.dir, 'ours.log')]).code).toBe(0);
      // The damage must be real: the system's gzip rejects both too.
      for (const bad of [paths.corrupt, paths.truncated]) expect(spawnSync('gzip', ['-t', bad]).status, bad).not.toBe(0);
      return paths;
    }

    it('accepts good files (ours and gzip\'s) with exit 0 and changes nothing', () => {
      const f = gzFiles();
      const before = treeHash(m.dir);
      for (const flag of ['-t', '--test']) {
        const r = run(['--json', flag, f.good, f.ours]);
        expect(r.code, r.stderr).toBe(0);
        expect(jsonLines(r.stdout).map((x) => [x.status, x.originalBytes])).toEqual([
          ['tested', 4 * MiB],
          ['tested', 4 * MiB],
        ]);
      }
      expect(treeHash(m.dir)).toBe(before);
    });

    it.each(['corrupt', 'truncated'] as const)('rejects a %s file: exit 1, BAD_GZIP, nothing changed', (which) => {
      const f = gzFiles();
      const before = treeHash(m.dir);
      const r = run(['--json', '-t', f.good, f[which]]);
      expect(r.code, r.stderr).toBe(1);
      const [good, bad] = jsonLines(r.stdout);
      expect(good.status).toBe('tested');
      expect(bad).toMatchObject({ status: 'failed', error: { code: 'BAD_GZIP' } });
      expect(r.stderr).toContain(`${which}.gz`);
      expect(treeHash(m.dir)).toBe(before);
    });
  });

  it('-V and --version print the version in package.json', () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['-V', '--version']) {
      const r = run([flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.split('\n')[0]).toBe(`cmemgzip ${version}`);
    }
  });

  // -m's effect belongs to block mode; here only that each spelling reaches it as the same number of bytes.
  it.each([
    { args: ['-m=64M'], bytes: 64 * MiB },
    { args: ['-m', '64M'], bytes: 64 * MiB },
    { args: ['--memory=4G'], bytes: 4 * 2 ** 30 },
    { args: ['--memory', '4G'], bytes: 4 * 2 ** 30 },
  ])('$args parses to $bytes bytes', ({ args, bytes }) => {
    mount(16);
    const log = path.join(m.dir, 'app.log');
    writeLog(log, MiB);
    const before = treeHash(m.dir);
    const r = run(['-s', '--json', ...args, log]);
    const [report] = jsonLines(r.stdout) as Record<string, any>[];
    // A small machine may not have the memory for 4 GiB blocks: NO_MEMORY then still shows the parsed size.
    const said = report.status === 'simulated' ? report.reason : report.error?.code === 'NO_MEMORY' ? report.error.message : r.stderr;
    expect(said).toContain(new Intl.NumberFormat('en-US').format(bytes));
    expect(treeHash(m.dir)).toBe(before);
  });
});
