// The plan's steps are the run's: on the same facts, --simulate --json lists the steps the real run then
// reports, in the same order with the same names, for every strategy; and the run took none it did not plan.
import type { ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fill, fillLeaving, gunzipHash, killChild, mountFs, mountSkipReason, onlyReport, run, sha256, startNode, warnSkip, writeLog, type Mounted } from './helpers.js';
import { STEP } from '../../src/steps/step-names.js';

const MiB = 2 ** 20;
const HOLDER = `
const fd = require('node:fs').openSync(process.argv[1], 'r');
console.log(fd);
setInterval(() => {}, 1000);
`;

interface Case {
  name: string;
  strategy: string;
  /** Makes the file and its filesystem; returns the operand, the extra arguments and the content's hash. */
  setup: () => Promise<{ operand: string; args: string[]; hash: string; output: string }>;
  /** The list's first steps: what tells this strategy's list from the others. */
  first: string[];
  /** Whether the plan has a kill -9 window and a power-cut window. */
  windows: [boolean, boolean];
}

describe.skipIf(warnSkip(mountSkipReason()))('--simulate lists the steps the run takes', () => {
  const mounts: Mounted[] = [];
  const children: ChildProcess[] = [];
  afterEach(async () => {
    await Promise.all(children.splice(0).map(killChild));
    mounts.splice(0).forEach((m) => m.unmount());
  });
  afterAll(() => mounts.forEach((m) => m.unmount()));
  const mount = (kind: 'tmpfs' | 'ext4', mib: number) => {
    const m = mountFs(kind, mib);
    mounts.push(m);
    return m;
  };
  /** A 6 MiB log on its own filesystem, full when asked. */
  const logOn = (full: boolean, kind: 'tmpfs' | 'ext4' = 'tmpfs') => {
    const m = mount(kind, 32);
    const file = path.join(m.dir, 'app.log');
    const hash = writeLog(file, 6 * MiB);
    if (full) fill(m.dir);
    return { m, file, hash, output: `${file}.gz` };
  };
  const stashOn = (kind: 'tmpfs' | 'ext4') => mount(kind, 32).dir;

  const read = 'read and compress';
  const block5 = ['block 5: read and compress', 'block 5: write its part (fsync, verify, manifest)', 'block 5: cut it off FILE, fsync'];
  const cases: Case[] = [
    { name: 'beside, streamed', strategy: 'beside', first: ['read, compress and write the temporary .gz, each block checked'], windows: [false, false], setup: async () => ({ ...pick(logOn(false)), args: ['--no-stash'] }) },
    { name: 'stash on a disk', strategy: 'stash', first: [read, 'write the safety copy (fsync, verify, manifest)', 'rewrite FILE in place with the .gz'], windows: [false, false], setup: async () => ({ ...pick(logOn(true)), args: ['--stash', stashOn('ext4')] }) },
    { name: 'stash in RAM', strategy: 'stash', first: [read, 'write the safety copy (fsync, verify, manifest)', 'rewrite FILE in place with the .gz'], windows: [false, true], setup: async () => ({ ...pick(logOn(true)), args: ['--stash', stashOn('tmpfs')] }) },
    { name: 'in place', strategy: 'in-place', first: [read, 'rewrite FILE in place with the .gz'], windows: [true, true], setup: async () => ({ ...pick(logOn(true)), args: ['--no-stash', '--yes'] }) },
    {
      name: 'in place, FILE unlinked first (a hole at its head)',
      strategy: 'in-place',
      first: [read, 'remove FILE', 'write the temporary .gz'],
      windows: [true, true],
      setup: async () => {
        const m = mount('tmpfs', 32);
        const file = path.join(m.dir, 'holed.log');
        writeLog(file, 6 * MiB);
        const data = fs.readFileSync(file);
        data.fill(0, 0, 2 * MiB);
        const fd = fs.openSync(file, 'w');
        fs.writeSync(fd, data.subarray(2 * MiB), 0, 4 * MiB, 2 * MiB);
        fs.closeSync(fd);
        fill(m.dir);
        return { operand: file, output: `${file}.gz`, hash: sha256(data), args: ['--no-stash', '--yes'] };
      },
    },
    { name: 'blocks, journal beside', strategy: 'blocks', first: ['create the journal', STEP.hide, ...block5], windows: [false, false], setup: async () => ({ ...pick(logOn(false)), args: ['-m', '1M', '--no-stash'] }) },
    { name: 'blocks, one-block window', strategy: 'blocks', first: ['block 5: read and compress', 'block 5: cut it off FILE, fsync', 'create the journal'], windows: [true, true], setup: async () => ({ ...pick(logOn(true)), args: ['-m', '1M', '--no-stash', '--yes'] }) },
    { name: 'blocks, journal in a stash on a disk', strategy: 'blocks', first: ['create the journal', STEP.hide, ...block5], windows: [false, false], setup: async () => ({ ...pick(logOn(true)), args: ['-m', '1M', '--stash', stashOn('ext4')] }) },
    {
      name: 'blocks, journal in a RAM stash, FILE short of inodes (the journal never moves beside it)',
      strategy: 'blocks',
      first: ['create the journal', STEP.hide, ...block5],
      windows: [false, true],
      setup: async () => {
        const m = mountFs('tmpfs', 16, { inodes: 6 });
        mounts.push(m);
        const file = path.join(m.dir, 'app.log');
        const hash = writeLog(file, 6 * MiB);
        fill(m.dir);
        fs.writeFileSync(path.join(m.dir, 'x1'), '');
        fs.writeFileSync(path.join(m.dir, 'x2'), '');
        return { operand: file, output: `${file}.gz`, hash, args: ['-m', '1M', '--stash', stashOn('tmpfs')] };
      },
    },
    { name: '--copytruncate beside', strategy: 'beside', first: [read, 'write the temporary .gz'], windows: [false, false], setup: async () => ({ ...pick(logOn(false)), args: ['--copytruncate'] }) },
    { name: '--copytruncate through a stash', strategy: 'stash', first: [read, 'write the safety copy (fsync, verify, manifest)', 'catch up with bytes appended meanwhile'], windows: [false, true], setup: async () => ({ ...pick(logOn(true)), args: ['--copytruncate', '--stash', stashOn('tmpfs')] }) },
    {
      name: 'a deleted file reclaimed through /proc',
      strategy: 'beside',
      first: [read, 'write the temporary .gz'],
      windows: [false, false],
      setup: async () => {
        const m = mount('tmpfs', 32);
        const file = path.join(m.dir, 'gone.log');
        const hash = writeLog(file, 6 * MiB);
        const { child, line } = await startNode(HOLDER, [file]);
        children.push(child);
        fs.unlinkSync(file);
        const dest = path.join(stashOn('tmpfs'), 'gone.log.gz');
        return { operand: `/proc/${child.pid}/fd/${line}`, output: dest, hash, args: ['-o', dest] };
      },
    },
    {
      name: 'a sample that promises less than the file gives (the run starts beside, runs out of room, plans again)',
      strategy: 'in-place',
      first: [read, 'rewrite FILE in place with the .gz'],
      windows: [true, true],
      setup: async () => {
        const m = mount('tmpfs', 32);
        const file = path.join(m.dir, 'f.log');
        // Random bytes except where the estimate samples (8 slices of 256 KiB spread over the file).
        const size = 8 * MiB;
        const data = crypto.randomBytes(size);
        const slice = Buffer.from('2026-01-01 host app: request status=200\n'.repeat(7000)).subarray(0, 256 * 1024);
        for (let k = 0; k < 8; k++) slice.copy(data, k * Math.floor((size - slice.length) / 7));
        fs.writeFileSync(file, data);
        fillLeaving(m.dir, 3 * MiB);
        return { operand: file, output: `${file}.gz`, hash: sha256(data), args: ['--no-stash', '--yes'] };
      },
    },
    {
      name: '-o onto RAM from a disk: a power-cut window once FILE is removed',
      strategy: 'beside',
      first: ['read, compress and write the temporary .gz, each block checked'],
      windows: [false, true],
      setup: async () => {
        const { file, hash } = logOn(false, 'ext4');
        const dest = path.join(stashOn('tmpfs'), 'app.log.gz');
        return { operand: file, output: dest, hash, args: ['-o', dest] };
      },
    },
  ];

  it.each(cases)('$name', async ({ strategy, setup, first, windows }) => {
    const { operand, args, hash, output } = await setup();
    const planned = onlyReport(run(['-s', '--json', ...args, operand]), 0);
    expect(planned).toMatchObject({ status: 'simulated', strategy });
    const names = (r: Record<string, any>) => (r.steps as { name: string }[]).map((s) => s.name);
    expect(names(planned).slice(0, first.length)).toEqual(first);
    expect([planned.windows?.kill9 !== undefined, planned.windows?.powerCut !== undefined]).toEqual(windows);
    expect(fs.existsSync(output), 'the simulation wrote the .gz').toBe(false);

    const done = onlyReport(run(['--json', ...args, operand]), 0);
    expect(done).toMatchObject({ status: 'compressed', strategy });
    expect(names(done)).toEqual(names(planned));
    // Each step the run reports is one the executor ran, timed.
    expect(done.steps.every((s: { ms?: number }) => typeof s.ms === 'number')).toBe(true);
    expect(done.windows ?? {}).toEqual(planned.windows ?? {});
    expect(gunzipHash(output)).toBe(hash);
  });

  it('--safe refuses --copytruncate through a stash in RAM unless --allow-ram-stash; nothing is touched', () => {
    const { file, hash } = logOn(true);
    const stash = stashOn('tmpfs');
    const r = run(['--safe', '--copytruncate', '--stash', stash, file]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/--safe refuses this plan: a power cut or reboot during truncate FILE to 0 bytes.* would lose the file/);
    expect(sha256(fs.readFileSync(file))).toBe(hash);
    expect(fs.readdirSync(stash)).toEqual([]);
    expect(fs.existsSync(`${file}.gz`)).toBe(false);
    const allowed = run(['--safe', '--allow-ram-stash', '--copytruncate', '--stash', stash, file]);
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(gunzipHash(`${file}.gz`)).toBe(hash);
    expect(fs.statSync(file).size).toBe(0);
  });

  it('--safe refuses a .gz that would be the only copy, in RAM, once FILE is removed; nothing is touched', () => {
    const { file } = logOn(false, 'ext4');
    const dest = path.join(stashOn('tmpfs'), 'app.log.gz');
    const before = fs.readFileSync(file);
    const r = run(['--safe', '-o', dest, file]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toMatch(/--safe refuses this plan: a power cut or reboot during remove FILE would lose the file/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(dest)).toBe(false);
  });
});

const pick = ({ file, hash, output }: { file: string; hash: string; output: string }) => ({ operand: file, hash, output });

