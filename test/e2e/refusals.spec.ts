// End to end, every refusal: the exit code, a message that says why, and the operand left exactly as it was.
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  fill,
  gunzipHash,
  onlyReport,
  logData,
  memoryCgroup,
  mountFs,
  mountSkipReason,
  run,
  sha256,
  sha256File,
  start,
  treeHash,
  warnSkip,
  writeLog,
  type Mounted,
} from './helpers.js';

const MiB = 2 ** 20;

/** A command prefix that drops root for the CLI, or undefined when this system has none. */
function asNobody(): string[] | undefined {
  if (spawnSync('setpriv', ['--version']).status === 0) return ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  if (spawnSync('runuser', ['--version']).status === 0) return ['runuser', '-u', 'nobody', '--'];
  return undefined;
}

/** Polls until cond holds; a test must never wait forever. */
async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.skipIf(warnSkip(mountSkipReason()))('refusals', () => {
  let m: Mounted;
  let dir: string;
  const children: ChildProcess[] = [];
  const servers: net.Server[] = [];

  beforeAll(() => {
    m = mountFs('tmpfs', 192);
  });
  afterAll(() => m?.unmount());
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A fresh folder per test on the shared tmpfs, so that treeHash sees only this test's files. */
  const fresh = () => {
    dir = fs.mkdtempSync(path.join(m.dir, 't-'));
    fs.chmodSync(dir, 0o755);
    return dir;
  };

  it('a missing file: exit 1, ENOENT', () => {
    fresh();
    const r = run(['--json', path.join(dir, 'nope.log')]);
    expect(onlyReport(r, 1).error).toMatchObject({ code: 'ENOENT' });
    expect(r.stderr).toMatch(/nope\.log: no such file or directory/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('a directory: exit 2, as gzip, nothing touched', () => {
    fresh();
    const sub = path.join(dir, 'logs');
    fs.mkdirSync(sub);
    writeLog(path.join(sub, 'a.log'), 1000);
    const before = treeHash(dir);
    const r = run(['--json', sub]);
    expect(onlyReport(r, 2).warning).toMatchObject({ code: 'NOT_REGULAR' });
    expect(r.stderr).toMatch(/is a directory -- ignored/);
    expect(treeHash(dir)).toBe(before);
  });

  it('a symlink to a regular file: exit 1, neither link nor target touched', () => {
    fresh();
    writeLog(path.join(dir, 'target.log'), 100_000);
    fs.symlinkSync('target.log', path.join(dir, 'link.log'));
    const before = treeHash(dir);
    const r = run(['--json', path.join(dir, 'link.log')]);
    expect(onlyReport(r, 1).error).toMatchObject({ code: 'SYMLINK' });
    expect(r.stderr).toMatch(/symbolic link; not followed/);
    expect(treeHash(dir)).toBe(before);
  });

  it('a FIFO: exit 2 at once, as gzip, never blocks', () => {
    fresh();
    const fifo = path.join(dir, 'pipe.log');
    execFileSync('mkfifo', [fifo]);
    const before = treeHash(dir);
    const r = run(['--json', fifo], { timeout: 15_000 });
    expect(r.signal, 'the CLI blocked on the FIFO and was killed').toBeNull();
    expect(onlyReport(r, 2).warning).toMatchObject({ code: 'NOT_REGULAR' });
    expect(r.stderr).toMatch(/is not a directory or a regular file \(a FIFO\) - ignored/);
    expect(treeHash(dir)).toBe(before);
  });

  it('a device (/dev/null): exit 2, nothing created beside it', () => {
    fresh();
    const before = fs.lstatSync('/dev/null');
    const r = run(['--json', '/dev/null']);
    expect(onlyReport(r, 2).warning).toMatchObject({ code: 'NOT_REGULAR' });
    expect(r.stderr).toMatch(/\(a device\) - ignored/);
    const after = fs.lstatSync('/dev/null');
    expect([after.ino, after.mode, after.rdev]).toEqual([before.ino, before.mode, before.rdev]);
    expect(fs.existsSync('/dev/null.gz')).toBe(false);
  });

  it('a unix socket: exit 2, nothing touched', async () => {
    fresh();
    const sock = path.join(dir, 'app.sock');
    const server = net.createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(sock, resolve));
    const before = treeHash(dir);
    const r = run(['--json', sock]);
    expect(onlyReport(r, 2).warning).toMatchObject({ code: 'NOT_REGULAR' });
    expect(r.stderr).toMatch(/\(a socket\) - ignored/);
    expect(treeHash(dir)).toBe(before);
  });

  const nobody = asNobody();
  it.skipIf(warnSkip(nobody ? undefined : 'neither setpriv nor runuser: the UNREADABLE refusal is SKIPPED'))(
    'an unreadable file (as nobody): exit 1, permission denied',
    () => {
      fresh();
      const log = path.join(dir, 'secret.log');
      writeLog(log, 100_000);
      fs.chmodSync(log, 0o600);
      fs.chmodSync(dir, 0o777);
      const before = treeHash(dir);
      const r = run(['--json', log], { prefix: nobody });
      expect(onlyReport(r, 1).error).toMatchObject({ code: 'UNREADABLE' });
      expect(r.stderr).toMatch(/secret\.log: permission denied/);
      expect(treeHash(dir)).toBe(before);
    },
  );

  describe('a file with 2 hard links', () => {
    it('is refused without -f (exit 1), nothing touched', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 1 * MiB);
      fs.linkSync(log, path.join(dir, 'other-name.log'));
      const before = treeHash(dir);
      const r = run(['--json', log]);
      expect(onlyReport(r, 1).error).toMatchObject({ code: 'HARD_LINKS' });
      expect(r.stderr).toMatch(/1 other hard link/);
      expect(r.stderr).toMatch(/-f/);
      expect(treeHash(dir)).toBe(before);
    });

    it('with -f compresses this name; the other link keeps the original content', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const other = path.join(dir, 'other-name.log');
      const hash = writeLog(log, 1 * MiB);
      fs.linkSync(log, other);
      const r = run(['--json', '-f', log]);
      expect(onlyReport(r, 0)).toMatchObject({ status: 'compressed' });
      expect(fs.existsSync(log)).toBe(false);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
      expect(sha256File(other)).toBe(hash);
      expect(fs.statSync(other).nlink).toBe(1);
    });
  });

  it('a file another process holds open: exit 1, the message names its PID and command; with -k (nothing removed or rewritten) it is compressed', async () => {
    fresh();
    const log = path.join(dir, 'held.log');
    const hash = writeLog(log, 100_000);
    const fd = fs.openSync(log, 'r');
    const holder = spawn('sleep', ['60'], { stdio: [fd, 'ignore', 'ignore'] });
    children.push(holder);
    fs.closeSync(fd);
    // Until exec, the child is still a copy of node: wait for it to be `sleep`.
    await until(() => fs.readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() === 'sleep', 'sleep to start');
    const before = treeHash(dir);
    const r = run(['--json', log]);
    expect(onlyReport(r, 1).error).toMatchObject({ code: 'HELD_OPEN' });
    expect(r.stderr).toContain(`PID ${holder.pid} (sleep)`);
    expect(treeHash(dir)).toBe(before);
    const kept = run(['--json', '-k', log]);
    expect(onlyReport(kept, 0)).toMatchObject({ status: 'compressed' });
    expect(sha256File(log)).toBe(hash);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });

  it('a file already ending in .gz: a warning and exit 0, as gzip, nothing touched', () => {
    fresh();
    const gz = path.join(dir, 'old.log.gz');
    fs.writeFileSync(gz, execFileSync('gzip', ['-c'], { input: logData(10_000) }));
    const before = treeHash(dir);
    const r = run(['--json', gz]);
    // gzip 1.12 says "already has .gz suffix -- unchanged" and exits 0.
    expect(onlyReport(r, 0)).toMatchObject({ status: 'skipped', warning: { code: 'HAS_SUFFIX' } });
    expect(r.stderr).toMatch(/warning: .*already has \.gz suffix -- unchanged/);
    expect(treeHash(dir)).toBe(before);
  });

  describe('an existing FILE.gz', () => {
    it('without -f: exit 2, "not overwritten", both files untouched', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 1 * MiB);
      fs.writeFileSync(`${log}.gz`, 'an older archive');
      const before = treeHash(dir);
      const r = run(['--json', log]);
      expect(onlyReport(r, 2)).toMatchObject({ status: 'skipped', warning: { code: 'OUTPUT_EXISTS' } });
      expect(r.stderr).toMatch(/not overwritten/);
      expect(treeHash(dir)).toBe(before);
    });

    it('with -f: overwritten by the new .gz', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      const hash = writeLog(log, 1 * MiB);
      fs.writeFileSync(`${log}.gz`, 'an older archive');
      const r = run(['--json', '-f', log]);
      expect(onlyReport(r, 0)).toMatchObject({ status: 'compressed' });
      expect(fs.existsSync(log)).toBe(false);
      expect(gunzipHash(`${log}.gz`)).toBe(hash);
      expect(fs.readdirSync(dir)).toEqual(['app.log.gz']);
    });
  });

  describe('not enough memory', () => {
    it('-m 1T: blocks larger than all memory: exit 1, says how much is needed and suggests a smaller -m', () => {
      fresh();
      const log = path.join(dir, 'app.log');
      writeLog(log, 1 * MiB);
      const before = treeHash(dir);
      const report = onlyReport(run(['--json', '-m', '1T', log]), 1);
      expect(report.error).toMatchObject({ code: 'NO_MEMORY' });
      expect(report.error.message).toMatch(/need about .*\([\d,]+ bytes\) of memory, .*\([\d,]+ bytes\) are available/);
      expect(report.error.hint).toMatch(/-m/);
      expect(treeHash(dir)).toBe(before);
    });

    it('inside a memory cgroup whose limit is below what even block mode needs: exit 1, NO_MEMORY', (ctx) => {
      const group = memoryCgroup(80 * MiB);
      if (typeof group === 'string') {
        warnSkip(`${group}: the cgroup memory limit refusal is SKIPPED`);
        return ctx.skip();
      }
      try {
        fresh();
        const log = path.join(dir, 'app.log');
        writeLog(log, 128 * MiB);
        fill(dir); // no room to stream the .gz beside, which needs no memory
        const before = treeHash(dir);
        // Below Node's own footprint plus one 1 MiB block: not even block mode fits.
        const report = onlyReport(run(['--json', log], { prefix: group.prefix }), 1);
        expect(report.error).toMatchObject({ code: 'NO_MEMORY' });
        expect(report.error.hint).toMatch(/-m \d+M/);
        expect(treeHash(dir)).toBe(before);
      } finally {
        group.remove();
      }
    });
  });

  describe('a file that changes while it is read', () => {
    it('a process appending all along: exit 1 CHANGED, nothing of ours left', async () => {
      fresh();
      const log = path.join(dir, 'busy.log');
      const original = logData(64 * MiB);
      fs.writeFileSync(log, original);
      // Opens, appends and closes every 2 ms: the file keeps changing, yet it is almost never caught open.
      const appender = spawn(
        process.execPath,
        ['-e', "const fs=require('fs'),s=new Int32Array(new SharedArrayBuffer(4));for(;;){fs.appendFileSync(process.argv[1],'appended\\n');Atomics.wait(s,0,0,2)}", log],
        { stdio: 'ignore' },
      );
      children.push(appender);
      await until(() => fs.statSync(log).size > original.length, 'the appender to start');
      let report: Record<string, any> = {};
      // The holder check may, rarely, catch the appender's fd open: that is a refusal too, so try again.
      for (let attempt = 0; attempt < 5; attempt++) {
        report = onlyReport(run(['--json', log]), 1);
        if (report.error.code !== 'HELD_OPEN') break;
      }
      appender.kill('SIGKILL');
      await until(() => appender.exitCode !== null || appender.signalCode !== null, 'the appender to stop');
      expect(report.error).toMatchObject({ code: 'CHANGED' });
      expect(report.error.message).toMatch(/changed/);
      expect(fs.readdirSync(dir)).toEqual(['busy.log']);
      const now = fs.readFileSync(log);
      expect(sha256(now.subarray(0, original.length))).toBe(sha256(original));
    });

    it('one line appended while it is read and compressed: exit 1 CHANGED, no .gz, FILE kept', async () => {
      fresh();
      const log = path.join(dir, 'late.log');
      const original = logData(64 * MiB);
      fs.writeFileSync(log, original);
      // -9 makes the compression long, so the append lands while the .gz is streamed to its temporary.
      const cli = start(['-9', '--no-stash', log]);
      children.push(cli);
      let stdout = '';
      let stderr = '';
      cli.stdout!.on('data', (d) => (stdout += d));
      cli.stderr!.on('data', (d) => (stderr += d));
      await until(() => /temporary first/.test(stdout), 'the streaming to start', 30_000);
      fs.appendFileSync(log, 'one more line\n');
      const code = await new Promise<number | null>((resolve) => cli.on('exit', resolve));
      expect(code, stdout + stderr).toBe(1);
      expect(stderr).toMatch(/changed/);
      expect(fs.readdirSync(dir)).toEqual(['late.log']);
      expect(sha256File(log)).toBe(sha256(Buffer.concat([original, Buffer.from('one more line\n')])));
    });
  });

  it('-o naming one file with several operands: exit 1 before anything is touched', () => {
    fresh();
    writeLog(path.join(dir, 'a.log'), 100_000);
    writeLog(path.join(dir, 'b.log'), 100_000);
    const before = treeHash(dir);
    const r = run(['-o', path.join(dir, 'both.gz'), path.join(dir, 'a.log'), path.join(dir, 'b.log')]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/names one file, but there are several operands/);
    expect(treeHash(dir)).toBe(before);
  });

  it.each(['0', 'abc', '1k'])('-m %s is invalid: exit 1 before anything is touched', (size) => {
    fresh();
    const log = path.join(dir, 'app.log');
    writeLog(log, 100_000);
    const before = treeHash(dir);
    const r = run(['-m', size, log]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`'${size}' is invalid`));
    expect(r.stdout).toBe('');
    expect(treeHash(dir)).toBe(before);
  });
});
