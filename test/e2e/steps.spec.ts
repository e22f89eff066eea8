// The plan's steps are the run's: on the same facts, --simulate --json lists the steps the real run then
// reports, in the same order with the same names, for every strategy; and the run took none it did not plan.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fill, gunzipHash, killChild, mountFs, mountSkipReason, onlyReport, run, sha256, startNode, warnSkip, writeLog, type Mounted } from './helpers.js';

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
  /** A step the list must have: what tells this strategy's list from the others. */
  has: string;
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

  const cases: Case[] = [
    { name: 'beside, streamed', strategy: 'beside', has: 'read, compress and write the temporary .gz, each block checked', setup: async () => ({ ...pick(logOn(false)), args: ['--no-stash'] }) },
    { name: 'stash on a disk', strategy: 'stash', has: 'write the safety copy (fsync, verify, manifest)', setup: async () => ({ ...pick(logOn(true)), args: ['--stash', stashOn('ext4')] }) },
    { name: 'stash in RAM', strategy: 'stash', has: 'remove the safety copy', setup: async () => ({ ...pick(logOn(true)), args: ['--stash', stashOn('tmpfs')] }) },
    { name: 'in place', strategy: 'in-place', has: "cut FILE to the .gz's length, fsync", setup: async () => ({ ...pick(logOn(true)), args: ['--no-stash', '--yes'] }) },
    {
      name: 'in place, FILE unlinked first (a hole at its head)',
      strategy: 'in-place',
      has: 'remove FILE',
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
    { name: 'blocks, journal beside', strategy: 'blocks', has: 'create the journal', setup: async () => ({ ...pick(logOn(false)), args: ['-m', '1M', '--no-stash'] }) },
    { name: 'blocks, one-block window', strategy: 'blocks', has: 'block 5: cut it off FILE, fsync', setup: async () => ({ ...pick(logOn(true)), args: ['-m', '1M', '--no-stash', '--yes'] }) },
    { name: 'blocks, journal in a stash on a disk', strategy: 'blocks', has: 'move the journal beside FILE', setup: async () => ({ ...pick(logOn(true)), args: ['-m', '1M', '--stash', stashOn('ext4')] }) },
    { name: '--copytruncate beside', strategy: 'beside', has: 'truncate FILE to 0 bytes', setup: async () => ({ ...pick(logOn(false)), args: ['--copytruncate'] }) },
    { name: '--copytruncate through a stash', strategy: 'stash', has: 'catch up with bytes appended meanwhile', setup: async () => ({ ...pick(logOn(true)), args: ['--copytruncate', '--stash', stashOn('tmpfs')] }) },
    {
      name: 'a deleted file reclaimed through /proc',
      strategy: 'beside',
      has: 'truncate FILE to 0 bytes',
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
  ];

  it.each(cases)('$name', async ({ strategy, setup, has }) => {
    const { operand, args, hash, output } = await setup();
    const planned = onlyReport(run(['-s', '--json', ...args, operand]), 0);
    expect(planned).toMatchObject({ status: 'simulated', strategy });
    const names = (r: Record<string, any>) => (r.steps as { name: string }[]).map((s) => s.name);
    expect(names(planned)).toContain(has);
    expect(fs.existsSync(output), 'the simulation wrote the .gz').toBe(false);

    const done = onlyReport(run(['--json', ...args, operand]), 0);
    expect(done).toMatchObject({ status: 'compressed', strategy });
    expect(names(done)).toEqual(names(planned));
    expect(done.steps.filter((s: { unplanned?: boolean }) => s.unplanned)).toEqual([]);
    expect(done.steps.map((s: { copies: string[] }) => s.copies)).toEqual(planned.steps.map((s: { copies: string[] }) => s.copies));
    expect(gunzipHash(output)).toBe(hash);
  });
});

const pick = ({ file, hash, output }: { file: string; hash: string; output: string }) => ({ operand: file, hash, output });

