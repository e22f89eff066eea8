// A second --copytruncate of the same live log keeps the first one's archive: the new copy is appended as
// further gzip members, -f replaces nothing, and a run killed at any step leaves the earlier archive whole.
// A copytruncate of a log a writer holds warns that lines of the last instant can be lost: exit 2, as gzip's warnings.
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fill, killAt, killChild, mountFs, mountSkipReason, onlyReport, run, startNode, warnSkip, type Mounted } from './helpers.js';

/**
 * Holds FILE open (O_APPEND) all along; writes `batch` numbered lines at the start and at each SIGUSR1,
 * then says so. With "same", every line is "tick" instead: each batch is byte for byte the one before.
 */
const WRITER = `
const fs = require('node:fs');
const [file, batch, same] = process.argv.slice(1);
const fd = fs.openSync(file, 'a');
let n = 0;
const write = () => {
  const lines = [];
  for (let i = 0; i < Number(batch); i++) lines.push(same ? (++n, 'tick\\n') : 'line ' + ++n + '\\n');
  fs.writeSync(fd, Buffer.from(lines.join('')));
  console.log('wrote ' + n);
};
write();
process.on('SIGUSR1', write);
setInterval(() => {}, 1000);
`;

const BATCH = 150_000;
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `line ${from + i}\n`).join('');
const gunzip = (gz: string) => execFileSync('gzip', ['-dc', gz], { maxBuffer: 2 ** 28 }).toString();

describe.skipIf(warnSkip(mountSkipReason()))('a repeated --copytruncate of a live log', () => {
  const mounts: Mounted[] = [];
  let writer: ChildProcess | undefined;
  afterEach(async () => {
    await killChild(writer);
    writer = undefined;
  });
  afterAll(() => mounts.forEach((m) => m.unmount()));

  /** A log on its own tmpfs with a writer that holds it, and the first copytruncate done: FILE.gz holds batch 1. */
  async function firstCycle(mib = 64, same = false) {
    const m = mountFs('tmpfs', mib);
    mounts.push(m);
    const log = path.join(m.dir, 'app.log');
    const started = await startNode(WRITER, [log, String(BATCH), ...(same ? ['same'] : [])]);
    writer = started.child;
    const wrote = (n: number) =>
      new Promise<void>((resolve) => {
        const onData = (d: Buffer) => {
          if (d.toString().includes(`wrote ${n}`)) {
            started.child.stdout!.off('data', onData);
            resolve();
          }
        };
        started.child.stdout!.on('data', onData);
      });
    const more = async (n: number) => {
      const done = wrote(n);
      started.child.kill('SIGUSR1');
      await done;
    };
    const first = run(['--copytruncate', log]);
    expect(first.code, first.stderr).toBe(2);
    expect(gunzip(`${log}.gz`)).toBe(same ? 'tick\n'.repeat(BATCH) : lines(1, BATCH));
    expect(fs.statSync(log).size).toBe(0);
    return { log, gz: `${log}.gz`, more, dir: m.dir };
  }

  /** The second cycle on a full disk: the new member goes to a stash on another tmpfs, then onto the archive in place. */
  async function fullSecondCycle() {
    const cycle = await firstCycle(24);
    await cycle.more(2 * BATCH);
    fill(cycle.dir);
    const stash = mountFs('tmpfs', 16);
    mounts.push(stash);
    const files = () => fs.readdirSync(stash.dir, { recursive: true, encoding: 'utf8' }).filter((f) => fs.statSync(path.join(stash.dir, f)).isFile());
    return { ...cycle, stash: stash.dir, files };
  }

  it.each([[[] as string[]], [['-f']]])('the second run %j appends to the archive: gzip -dc gives every line the writer wrote up to its truncation', async (extra) => {
    const { log, gz, more } = await firstCycle();
    await more(2 * BATCH);
    const r = run(['--copytruncate', ...extra, log]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/appended as further gzip members to the earlier archive, whose .* of content are kept/);
    expect(r.stderr).not.toContain('use -f');
    expect(spawnSync('gzip', ['-t', gz]).status).toBe(0);
    expect(gunzip(gz)).toBe(lines(1, 2 * BATCH));
    expect(fs.statSync(log).size).toBe(0);
    // The writer goes on in the emptied file, and a third cycle keeps both earlier ones.
    await more(3 * BATCH);
    expect(fs.readFileSync(log, 'utf8')).toBe(lines(2 * BATCH + 1, 3 * BATCH));
    const third = run(['--copytruncate', log]);
    expect(third.code, third.stderr).toBe(2);
    expect(gunzip(gz)).toBe(lines(1, 3 * BATCH));
  }, 60_000);

  it('an existing FILE.gz that is not a whole gzip is left as it is, -f or not, and no advice says -f', async () => {
    const { log, gz, more } = await firstCycle();
    await more(2 * BATCH);
    fs.truncateSync(gz, fs.statSync(gz).size - 100);
    const damaged = fs.readFileSync(gz);
    for (const extra of [[], ['-f']]) {
      const r = run(['--copytruncate', ...extra, log]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain('is not a whole .gz');
      expect(r.stderr).toContain('move it away');
      expect(r.stderr).not.toContain('-f');
      expect(fs.readFileSync(gz).equals(damaged)).toBe(true);
      expect(fs.readFileSync(log, 'utf8')).toBe(lines(BATCH + 1, 2 * BATCH));
    }
  }, 60_000);

  it('killed at each step of the second run: the earlier archive stays whole, and a rerun loses no line', async () => {
    const { log: probe, more: moreProbe } = await firstCycle();
    await moreProbe(2 * BATCH);
    const planned = (onlyReport(run(['-s', '--json', '--copytruncate', probe]), 0).steps as { name: string }[]).map((s) => s.name);
    expect(planned[1]).toBe("write the temporary .gz: the earlier archive's bytes, then the new member");
    await killChild(writer);
    const renamedAt = planned.indexOf('rename it to the .gz name');
    // The read happens before the plan, so the first stop is the step after it.
    for (let stop = 1; stop < planned.length; stop++) {
      const { log, gz, more } = await firstCycle();
      await more(2 * BATCH);
      await killAt(['--copytruncate', log], planned[stop], planned.slice(1, stop + 1).filter((n) => n === planned[stop]).length);
      // Until the rename the archive is the earlier one; from it on, the earlier one with the new lines after it.
      const kept = gunzip(gz);
      expect(kept, `killed at "${planned[stop]}"`).toBe(stop > renamedAt ? lines(1, 2 * BATCH) : lines(1, BATCH));
      const again = run(['--copytruncate', log]);
      expect([0, 2], again.stderr).toContain(again.code); // 0: finished from the stash; 2: copied again, under the writer's warning
      // Killed after the rename, before the truncation: the run's note lets the rerun cut the archive back to batch 1 first.
      expect(gunzip(gz), `killed at "${planned[stop]}"`).toBe(lines(1, 2 * BATCH));
      expect(fs.readdirSync(path.dirname(log)).sort()).toEqual(['app.log', 'app.log.gz']);
      await killChild(writer);
    }
  }, 300_000);

  it('on a full disk, through a stash: the new member goes onto the archive in place once the truncation freed the room', async () => {
    const { log, gz, stash, files } = await fullSecondCycle();
    const report = onlyReport(run(['--copytruncate', '--stash', stash, '--json', log]), 2);
    expect(report).toMatchObject({ status: 'compressed', strategy: 'stash' });
    expect(gunzip(gz)).toBe(lines(1, 2 * BATCH));
    expect(fs.statSync(log).size).toBe(0);
    expect(files()).toEqual([]);
  }, 60_000);

  it('through a stash, killed at each step: the earlier archive keeps its bytes, and a rerun ends with every line once', async () => {
    const probe = await fullSecondCycle();
    const planned = (onlyReport(run(['-s', '--json', '--copytruncate', '--stash', probe.stash, probe.log]), 0).steps as { name: string }[]).map((s) => s.name);
    expect(planned).toContain('append the safety copy to the earlier archive, fsync, verify');
    await killChild(writer);
    for (let stop = 1; stop < planned.length; stop++) {
      const { log, gz, stash, files } = await fullSecondCycle();
      const earlier = fs.readFileSync(gz);
      await killAt(['--copytruncate', '--stash', stash, log], planned[stop], planned.slice(1, stop + 1).filter((n) => n === planned[stop]).length);
      const now = fs.readFileSync(gz);
      expect(now.subarray(0, earlier.length).equals(earlier), `killed at "${planned[stop]}"`).toBe(true);
      if (planned[stop] === 'append the safety copy to the earlier archive, fsync, verify') {
        // A kill in the middle of the append: half the member written after the archive's bytes.
        const data = files().find((f) => f.endsWith('.gz'))!;
        const member = fs.readFileSync(path.join(stash, data));
        fs.appendFileSync(gz, member.subarray(0, member.length >> 1));
      }
      const again = run(['--copytruncate', '--stash', stash, log]);
      expect([0, 2], again.stderr).toContain(again.code); // 0: finished from the stash; 2: copied again, under the writer's warning
      expect(gunzip(gz), `killed at "${planned[stop]}"`).toBe(lines(1, 2 * BATCH));
      expect(files()).toEqual([]);
      await killChild(writer);
    }
  }, 300_000);

  it('a log whose second batch is byte for byte its first: the archive is kept, not taken for a stale copy of FILE', async () => {
    const { log, gz, more } = await firstCycle(64, true);
    await more(2 * BATCH);
    expect(fs.readFileSync(log, 'utf8')).toBe('tick\n'.repeat(BATCH));
    const r = run(['--copytruncate', log]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).not.toContain('removed');
    expect(gunzip(gz)).toBe('tick\n'.repeat(2 * BATCH));
  }, 60_000);
});
