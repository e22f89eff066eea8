// --reserve SIZE DIR on real filesystems: a root-owned 0600 file of allocated zeros, recorded, listed by
// --scan, resized and removed; at 0 free a run borrows from it to write beside (no stash, no window) and
// grows it back; killed at each step, a plain rerun loses nothing and the reserve is whole again.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fill, gunzipHash, jsonLines, mountFs, mountSkipReason, onlyReport, run, sha256File, sleep, start, STATE_DIR, warnSkip, watch, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const RESERVE = 4 * MiB;
const stateOf = (pid: number) => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];

describe.skipIf(warnSkip(mountSkipReason()))('--reserve', () => {
  let m: Mounted | undefined;
  afterEach(() => {
    m?.unmount();
    m = undefined;
  });

  /** A 32 MiB tmpfs whose root only root may write (a tmpfs's root is 1777 by default), holding an 8 MiB log. */
  function withLog() {
    m = mountFs('tmpfs', 32);
    fs.chmodSync(m.dir, 0o755);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 8 * MiB);
    return { dir: m.dir, log, hash, reserve: path.join(m.dir, '.cmemgzip-reserve') };
  }

  /** The reserve's size, checked to be root's, 0600, one link and really allocated. */
  function reserveSize(file: string): number {
    const st = fs.lstatSync(file);
    expect([st.isFile(), st.uid, st.mode & 0o777, st.nlink]).toEqual([true, 0, 0o600, 1]);
    expect(st.blocks * 512).toBeGreaterThanOrEqual(st.size);
    return st.size;
  }

  it('is made, listed by --scan, resized and removed, its record following', () => {
    const { dir, reserve } = withLog();
    const sim = run(['--reserve', '4M', '--simulate', dir]);
    expect(sim.code, sim.stderr).toBe(0);
    expect(sim.stdout).toContain(`the reserve ${reserve} would be set to 4 MiB`);
    expect(fs.existsSync(reserve), '--simulate makes nothing').toBe(false);
    expect(run(['--reserve', '4M', '--until', '80%', dir]).stderr).toMatch(/--reserve does not go with --until/);
    const made = run(['--reserve', '4M', '--json', dir]);
    expect(made.code, made.stderr).toBe(0);
    expect(jsonLines(made.stdout)[0]).toMatchObject({ reserve, sizeBytes: RESERVE, allocatedBytes: RESERVE });
    expect(reserveSize(reserve)).toBe(RESERVE);
    const record = () => JSON.parse(fs.readFileSync(path.join(STATE_DIR, `cmemgzip-0/reserves.json`), 'utf8')) as { path: string; size: number }[];
    expect(record()).toEqual([expect.objectContaining({ path: reserve, size: RESERVE })]);
    const scan = run(['--scan', '--json', dir]);
    expect(jsonLines(scan.stdout)[0].reserve).toEqual({ path: reserve, sizeBytes: RESERVE, recordedBytes: RESERVE });
    expect(run(['--scan', dir]).stdout).toContain(`reserve: ${reserve}, 4 MiB`);
    // Never compressed: its zeros would compress to nothing and the reserve would be gone.
    const named = run([reserve]);
    expect(named.code).toBe(1);
    expect(named.stderr).toMatch(/is the reserve of --reserve/);
    const chosen = jsonLines(run(['--until', '1%', '--simulate', '--json', dir]).stdout).at(-1)!;
    expect(chosen.passedOver).toContainEqual({ path: reserve, reason: 'the reserve of --reserve: runs borrow from it' });
    expect(reserveSize(reserve)).toBe(RESERVE);

    expect(run(['--reserve', '1M', dir]).code).toBe(0);
    expect(reserveSize(reserve)).toBe(MiB);
    expect(run(['--reserve', '6M', dir]).code).toBe(0);
    expect(reserveSize(reserve)).toBe(6 * MiB);
    expect(record()[0].size).toBe(6 * MiB);
    expect(run(['--reserve', '0', dir]).code).toBe(0);
    expect(fs.existsSync(reserve)).toBe(false);
    expect(record()).toEqual([]);
  });

  it('is refused in a folder others may write, on a symlink, and beyond the free space; nothing is left', () => {
    const { dir, reserve } = withLog();
    fs.chmodSync(dir, 0o1777);
    const open = run(['--reserve', '1M', dir]);
    expect(open.code).toBe(1);
    expect(open.stderr).toMatch(/insecure parent directory .*writable by other users \(mode 1777\)/);
    fs.chmodSync(dir, 0o755);
    fs.symlinkSync('/etc/passwd', reserve);
    const link = run(['--reserve', '1M', dir]);
    expect(link.code).toBe(1);
    expect(link.stderr).toMatch(/is a symlink, not a reserve of ours/);
    fs.unlinkSync(reserve);
    const big = run(['--reserve', '64M', dir]);
    expect(big.code).toBe(1);
    expect(big.stderr).toMatch(/no room for a reserve of 64 MiB/);
    expect(fs.existsSync(reserve)).toBe(false);
  });

  it('at 0 bytes free: the run borrows from it, writes beside with no stash, and the reserve is back to its size', () => {
    const { dir, log, hash, reserve } = withLog();
    expect(run(['--reserve', '4M', dir]).code).toBe(0);
    fill(dir);
    const sim = onlyReport(run(['--simulate', '--json', log]), 0);
    expect(sim.strategy).toBe('beside');
    // --simulate's list says where FILE's bytes are during each step, the reserve's two included.
    const shown = run(['--simulate', log]).stdout;
    expect(shown).toContain('1. give back part of the reserve (ftruncate, fsync) [FILE]');
    expect(shown).toContain('7. grow the reserve back from the space freed (zeros, fsync) [the .gz]');
    expect(shown).toMatch(/loss window on kill -9: none\n.*loss window on power cut or reboot: none/);
    const r = onlyReport(run(['--json', log]), 0);
    expect(r).toMatchObject({ status: 'compressed', strategy: 'beside' });
    expect(r.windows, 'no loss window of either kind').toEqual({});
    expect(r.stash).toBeUndefined();
    expect(r.steps.map((s: { name: string }) => s.name)).toEqual(sim.steps.map((s: { name: string }) => s.name));
    expect(r.steps[0].name).toBe('give back part of the reserve (ftruncate, fsync)');
    expect(r.steps.at(-1).name).toBe('grow the reserve back from the space freed (zeros, fsync)');
    expect(r.reserve).toMatchObject({ path: reserve, grownBackBytes: r.reserve.lentBytes });
    expect(reserveSize(reserve)).toBe(RESERVE);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });

  it('a holder seen at the last look, after the rename: the .gz is taken back, FILE stays whole, and the reserve grows back in the same run', async () => {
    const { dir, log, hash, reserve } = withLog();
    expect(run(['--reserve', '4M', dir]).code).toBe(0);
    fill(dir);
    const child = watch(start(['-v', log], { env: { CMEMGZIP_STOP_AT_STEPS: '1' } }));
    const stops = () => [...child.output().matchAll(/^stopped at: (.*)$/gm)].map((x) => x[1]);
    let holder: ReturnType<typeof spawn> | undefined;
    try {
      for (let seen = 0; !child.done(); seen++) {
        while (!child.done() && stops().length <= seen) await sleep(2);
        while (!child.done() && stateOf(child.child.pid!) !== 'T') await sleep(1);
        // A process opens FILE right before it goes: the last look sees it.
        if (stops()[seen] === 'remove FILE' && !holder) {
          holder = spawn('sleep', ['60'], { stdio: [fs.openSync(log, 'r'), 'ignore', 'ignore'] });
          await sleep(100);
        }
        child.child.kill('SIGCONT');
      }
      const { code } = await child.exited;
      expect(stops(), child.output()).toContain('remove FILE');
      expect(code, child.output()).not.toBe(0);
      expect(child.output()).toMatch(/seen just before removing it/);
      expect([sha256File(log) === hash, fs.existsSync(`${log}.gz`)]).toEqual([true, false]);
      expect(reserveSize(reserve), child.output()).toBe(RESERVE);
    } finally {
      holder?.kill('SIGKILL');
    }
  });

  it('killed at each step of that run, then a plain rerun: nothing lost, the reserve whole again', async () => {
    const planned = (() => {
      const { dir, log } = withLog();
      run(['--reserve', '4M', dir]);
      fill(dir);
      const names = (onlyReport(run(['--simulate', '--json', log]), 0).steps as { name: string }[]).map((s) => s.name);
      m!.unmount();
      m = undefined;
      return names;
    })();
    expect(planned).toHaveLength(7);
    const outcomes: string[] = [];
    for (let k = 1; k <= planned.length; k++) {
      const { dir, log, hash, reserve } = withLog();
      expect(run(['--reserve', '4M', dir]).code).toBe(0);
      fill(dir);
      const child = watch(start(['-v', log], { env: { CMEMGZIP_STOP_AT_STEPS: '1' } }));
      const stops = () => [...child.output().matchAll(/^stopped at: (.*)$/gm)].map((x) => x[1]);
      for (let seen = 0; seen < k; seen++) {
        if (seen > 0) child.child.kill('SIGCONT');
        while (!child.done() && stops().length <= seen) await sleep(2);
        while (!child.done() && stateOf(child.child.pid!) !== 'T') await sleep(1);
      }
      expect(stops()[k - 1], child.output()).toBe(planned[k - 1]);
      expect(child.output(), '-v names each step as it is reached').toContain(`step ${k}/${planned.length}: ${planned[k - 1]}; copies meanwhile: ${k === 1 ? 'FILE' : ''}`);
      child.child.kill('SIGKILL');
      await child.exited;
      const rerun = run([log]);
      const kept = fs.existsSync(log) ? sha256File(log) === hash : gunzipHash(`${log}.gz`) === hash;
      outcomes.push(`killed at ${k} (${planned[k - 1]}): rerun exit ${rerun.code}, bytes kept ${kept}, reserve ${fs.statSync(reserve).size}`);
      expect(kept, rerun.stderr).toBe(true);
      expect(reserveSize(reserve), `killed at ${k}: ${rerun.stdout}${rerun.stderr}`).toBe(RESERVE);
      if (fs.existsSync(log)) throw new Error(`killed at ${k}: the rerun left ${log} uncompressed: ${rerun.stderr}`);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
      m!.unmount();
      m = undefined;
    }
    console.log(outcomes.join('\n'));
  }, 180_000);
});
