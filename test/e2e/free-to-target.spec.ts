// --until / --free on real filesystems filled to 0 free with a mix of logs: the fewest files, at most one
// risky step, --simulate predicting the set and order, and the summary's figures equal to df's.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fill, gunzipHash, jsonLines, killChild, mountFs, mountSkipReason, run, sha256File, startNode, treeHash, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
/** A writer that keeps its log open, as a service does. */
const WRITER = `const fd = require('node:fs').openSync(process.argv[1], 'a'); console.log(fd); setInterval(() => {}, 1000);`;

interface Summary {
  summary: string;
  totalBytes: number;
  target: { freeBytes: number };
  before: { freeBytes: number };
  after: { freeBytes: number };
  files: string[];
  met: boolean;
  short?: string;
  passedOver: { path: string; reason: string }[];
}
interface Step {
  file: string;
  status: string;
  strategy: string;
  risky?: boolean;
  window?: boolean;
  stash?: string;
}

/** df's own figures (f_bavail and f_blocks, in bytes) for the filesystem holding dir. */
function df(dir: string): { avail: number; size: number } {
  const [, line] = execFileSync('df', ['-B1', '--output=avail,size', dir], { encoding: 'utf8' }).trim().split('\n');
  const [avail, size] = line.trim().split(/\s+/).map(Number);
  return { avail, size };
}

/** Splits --json output into the per-file objects and the summary that ends it. */
function parse(stdout: string): { steps: Step[]; summary: Summary } {
  const lines = jsonLines(stdout);
  return { steps: lines.slice(0, -1) as unknown as Step[], summary: lines.at(-1) as unknown as Summary };
}

describe.skipIf(warnSkip(mountSkipReason()))('--until and --free', () => {
  const mounts: Mounted[] = [];
  let writer: ChildProcess | undefined;
  afterEach(() => killChild(writer));
  afterAll(() => mounts.forEach((m) => m.unmount()));
  const mount = (kind: 'tmpfs' | 'ext4', sizeMiB: number) => {
    const m = mountFs(kind, sizeMiB);
    mounts.push(m);
    return m;
  };

  /**
   * Three logs that may go (8, 5 and 3 MiB), and larger ones that may not: held open by a writer,
   * hard-linked, gzip data under a .log name, random bytes, the active log of a rotated set. Then full.
   */
  async function prepare(dir: string) {
    const d = (name: string) => path.join(dir, name);
    const hashes: Record<string, string> = {};
    for (const [name, size] of [['big.log', 8], ['mid.log', 5], ['small.log', 3], ['held.log', 10], ['linked.log', 7], ['app.log', 6], ['app.log.1', 0.5]] as const)
      hashes[name] = writeLog(d(name), size * MiB);
    fs.linkSync(d('linked.log'), d('linked-too.log'));
    const noise = crypto.randomBytes(3 * MiB);
    fs.writeFileSync(d('noise.log'), noise);
    fs.writeFileSync(d('packed.log'), execFileSync('gzip', ['-c'], { input: crypto.randomBytes(4 * MiB), maxBuffer: 2 ** 26 }));
    writer = (await startNode(WRITER, [d('held.log')])).child;
    fill(dir);
    const untouched = ['held.log', 'linked.log', 'app.log', 'noise.log', 'packed.log'];
    const before = Object.fromEntries(untouched.map((n) => [n, sha256File(d(n))]));
    return { d, hashes, untouched: () => Object.fromEntries(untouched.map((n) => [n, sha256File(d(n))])), before };
  }

  /** The simulated plan, checked to change nothing, then the real run; both --json. */
  function simulateThenRun(dir: string, args: string[]) {
    const tree = treeHash(dir);
    const sim = run([...args, '--simulate', '--json', dir]);
    expect(treeHash(dir), 'a simulation changes nothing').toBe(tree);
    const dfBefore = df(dir);
    const real = run([...args, '--json', dir], { timeout: 120_000 });
    return { sim: { code: sim.code, ...parse(sim.stdout), stderr: sim.stderr }, real: { code: real.code, ...parse(real.stdout), stderr: real.stderr }, dfBefore, dfAfter: df(dir) };
  }

  it('tmpfs at 0 free, --until 85%: the two largest savers, the first through a RAM stash, the second beside; as simulated; df agrees', async () => {
    const m = mount('tmpfs', 64);
    const stash = mount('tmpfs', 32);
    const { d, hashes, untouched, before } = await prepare(m.dir);
    const { sim, real, dfBefore, dfAfter } = simulateThenRun(m.dir, ['--until', '85%', '--stash', stash.dir]);

    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.steps.map((s) => [s.file, s.strategy, s.risky])).toEqual([[d('big.log'), 'stash', true], [d('mid.log'), 'beside', false]]);
    expect(sim.summary).toMatchObject({ summary: 'planned', files: [d('big.log'), d('mid.log')], met: true });
    const passed = Object.fromEntries(sim.summary.passedOver.map((p) => [path.basename(p.path), p.reason]));
    expect(passed['held.log']).toMatch(/^held open by PID \d+/);
    expect(passed['linked.log']).toMatch(/other hard link/);
    expect(passed['app.log']).toMatch(/active log of a rotated set/);
    expect(passed['noise.log']).toMatch(/would save about/);
    expect(passed['packed.log']).toBe('already compressed (gzip data)');

    expect(real.code, real.stderr).toBe(0);
    expect(real.steps.map((s) => [s.file, s.status, s.strategy])).toEqual([[d('big.log'), 'compressed', 'stash'], [d('mid.log'), 'compressed', 'beside']]);
    expect(real.summary.files).toEqual(sim.summary.files);
    // Fewest files: even the largest that may go could not have met the target alone.
    expect(real.summary.before.freeBytes + 8 * MiB).toBeLessThan(real.summary.target.freeBytes);
    expect(real.summary).toMatchObject({ summary: 'done', met: true, totalBytes: dfBefore.size, before: { freeBytes: dfBefore.avail }, after: { freeBytes: dfAfter.avail } });
    expect(dfAfter.avail).toBeGreaterThanOrEqual(real.summary.target.freeBytes);
    expect(dfAfter.avail).toBeLessThan(dfAfter.size * 0.15 + 3 * MiB); // it stopped: small.log was not needed
    for (const name of ['big.log', 'mid.log']) expect(gunzipHash(d(`${name}.gz`))).toBe(hashes[name]);
    expect(sha256File(d('small.log'))).toBe(hashes['small.log']);
    expect(untouched()).toEqual(before);
  });

  it('ext4 at 0 free, --free 10M --no-stash --yes: one in-place window, then beside; as simulated; df agrees', async () => {
    const m = mount('ext4', 64);
    const { d, hashes, untouched, before } = await prepare(m.dir);
    const { sim, real, dfBefore, dfAfter } = simulateThenRun(m.dir, ['--free', '10M', '--no-stash', '--yes']);

    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.steps.map((s) => [s.file, s.strategy, s.risky])).toEqual([[d('big.log'), 'in-place', true], [d('mid.log'), 'beside', false]]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.steps.map((s) => [s.file, s.strategy, s.window])).toEqual([[d('big.log'), 'in-place', true], [d('mid.log'), 'beside', false]]);
    expect(real.summary.files).toEqual(sim.summary.files);
    expect(real.summary).toMatchObject({ met: true, target: { freeBytes: 10 * MiB }, before: { freeBytes: dfBefore.avail }, after: { freeBytes: dfAfter.avail } });
    expect(dfAfter.avail).toBeGreaterThanOrEqual(10 * MiB);
    for (const name of ['big.log', 'mid.log']) expect(gunzipHash(d(`${name}.gz`))).toBe(hashes[name]);
    expect(untouched()).toEqual(before);
  });

  it('a target out of reach: every file that may go is compressed, then exit 1 saying how far it got and why', async () => {
    const m = mount('tmpfs', 64);
    const stash = mount('tmpfs', 32);
    const { d, hashes, untouched, before } = await prepare(m.dir);
    const r = run(['--until', '10%', '--stash', stash.dir, '--json', m.dir], { timeout: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    const { steps, summary } = parse(r.stdout);
    // The rotated copy goes too: only the active log of the set is left to its writer.
    expect(steps.map((s) => path.basename(s.file))).toEqual(['big.log', 'mid.log', 'small.log', 'app.log.1']);
    expect(steps.filter((s) => s.window || s.stash).length, 'at most one risky step').toBe(1);
    expect(summary).toMatchObject({ met: false, short: 'no file is left that may be compressed', after: { freeBytes: df(m.dir).avail } });
    expect(r.stderr).toMatch(/target NOT met .*: no file is left that may be compressed/);
    for (const name of ['big.log', 'mid.log', 'small.log', 'app.log.1']) expect(gunzipHash(d(`${name}.gz`))).toBe(hashes[name]);
    expect(untouched()).toEqual(before);
  });

  it('files named by hand at 0 free: the largest saver first, the others then beside; other operands keep their places', async () => {
    const m = mount('tmpfs', 40);
    const stash = mount('tmpfs', 32);
    const d = (name: string) => path.join(m.dir, name);
    const hashes = Object.fromEntries((['small.log', 'big.log', 'mid.log'] as const).map((n, i) => [n, writeLog(d(n), [2, 8, 5][i] * MiB)]));
    fill(m.dir);
    const r = run(['--json', '--stash', stash.dir, d('small.log'), d('missing.log'), d('big.log'), d('mid.log')]);
    expect(r.code, r.stderr).toBe(1);
    const steps = jsonLines(r.stdout) as unknown as Step[];
    // In the order named, each of the three would have needed the stash: three risky steps instead of one.
    expect(steps.map((s) => [path.basename(s.file), s.status, s.strategy])).toEqual([
      ['big.log', 'compressed', 'stash'],
      ['missing.log', 'failed', undefined],
      ['mid.log', 'compressed', 'beside'],
      ['small.log', 'compressed', 'beside'],
    ]);
    for (const [name, hash] of Object.entries(hashes)) expect(gunzipHash(d(`${name}.gz`))).toBe(hash);
  });

  it('the in-place window refused (no stash, no --yes, no terminal): exit 1 after that one refusal, nothing touched', async () => {
    const m = mount('tmpfs', 64);
    await prepare(m.dir);
    const tree = treeHash(m.dir);
    const r = run(['--until', '85%', '--no-stash', '--json', m.dir]);
    expect(r.code, r.stderr).toBe(1);
    const { steps, summary } = parse(r.stdout);
    expect(steps.map((s) => [path.basename(s.file), s.status])).toEqual([['big.log', 'failed']]);
    expect(summary.met).toBe(false);
    expect(summary.short).toMatch(/no risky step is allowed any more .*; .*big\.log failed: .*consent/);
    expect(r.stderr).toMatch(/target NOT met/);
    expect(treeHash(m.dir)).toBe(tree);
  });

  it('--copytruncate: the log a writer holds open is taken too, copied to the stash and truncated under the writer', async () => {
    const m = mount('tmpfs', 64);
    const stash = mount('tmpfs', 32);
    const { d, hashes } = await prepare(m.dir);
    const { sim, real, dfAfter } = simulateThenRun(m.dir, ['--until', '85%', '--copytruncate', '--stash', stash.dir]);
    expect(sim.steps.map((s) => [path.basename(s.file), s.strategy, s.risky])).toEqual([['held.log', 'copytruncate', true], ['big.log', 'copytruncate', false]]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.steps.map((s) => [path.basename(s.file), s.status])).toEqual([['held.log', 'compressed'], ['big.log', 'compressed']]);
    expect(real.summary).toMatchObject({ met: true, files: sim.summary.files, after: { freeBytes: dfAfter.avail } });
    expect(fs.statSync(d('held.log')).size).toBe(0);
    expect(gunzipHash(d('held.log.gz'))).toBe(hashes['held.log']);
    expect(writer!.exitCode).toBeNull();
  });
});
