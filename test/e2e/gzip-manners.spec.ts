// Exit codes and words beside gzip 1.12's own: the refusals gzip also makes, warnings as exit 2, and messages that say what is true.
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { fill, gunzipHash, jsonLines, killChild, mountFs, mountSkipReason, onlyReport, run, runBinary, startNode, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const READER = `const fd = require('node:fs').openSync(process.argv[1], 'r'); console.log(fd); setInterval(() => {}, 1000);`;
const APPENDER = `const fs = require('node:fs'); const fd = fs.openSync(process.argv[1], 'a'); let n = 0;
console.log('ready'); setInterval(() => { try { fs.writeSync(fd, 'line ' + ++n + '\\n'); } catch {} }, 2);`;

/** gzip 1.12 itself on the same operand, in a copy of the folder: its exit status and its words. */
function gzipOn(dir: string, operand: string, flags: string[] = []) {
  const r = spawnSync('gzip', [...flags, operand], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}

describe.skipIf(warnSkip(mountSkipReason()))("gzip's manners", () => {
  const mounts: Mounted[] = [];
  let holder: ChildProcess | undefined;
  afterEach(() => killChild(holder));
  afterAll(() => mounts.forEach((m) => m.unmount()));
  const mount = (mib = 32) => {
    const m = mountFs('tmpfs', mib);
    mounts.push(m);
    return m.dir;
  };

  it('a directory without -r, a FIFO, a name with the suffix: the exit status gzip gives, and its words', async () => {
    const dir = mount();
    fs.mkdirSync(path.join(dir, 'logs'));
    execFileSync('mkfifo', [path.join(dir, 'pipe')]);
    fs.writeFileSync(path.join(dir, 'old.log.gz'), execFileSync('gzip', ['-c'], { input: 'x\n' }));
    for (const [operand, words] of [
      ['logs', /logs is a directory -- ignored/],
      ['pipe', /pipe is not a directory or a regular file \(a FIFO\) - ignored/],
      ['old.log.gz', /old\.log\.gz already has \.gz suffix -- unchanged/],
    ] as const) {
      const gzip = gzipOn(dir, operand);
      const ours = run([operand], { cwd: dir, timeout: 15_000 });
      expect(ours.code, `${operand}: gzip exits ${gzip.code} (${gzip.stderr.trim()}); we said ${ours.stderr}`).toBe(gzip.code);
      expect(ours.stderr).toMatch(words);
      // -q: silent, the exit status unchanged, as gzip.
      const quiet = run(['-q', operand], { cwd: dir, timeout: 15_000 });
      expect([quiet.code, quiet.stderr]).toEqual([gzipOn(dir, operand, ['-q']).code, '']);
    }
    for (const flags of [['-c'], ['-d'], ['-t'], ['-l']]) expect(run([...flags, 'logs'], { cwd: dir }).code, flags[0]).toBe(gzipOn(dir, 'logs', flags).code);
  });

  it('-c on a name with the suffix compresses it, as gzip -c does', () => {
    const dir = mount();
    const gz = path.join(dir, 'twice.gz');
    fs.writeFileSync(gz, execFileSync('gzip', ['-c'], { input: 'hello\n' }));
    const r = runBinary(['-c', gz]);
    expect(r.code, r.stderr).toBe(0);
    expect(execFileSync('gzip', ['-dc'], { input: r.stdout }).equals(fs.readFileSync(gz))).toBe(true);
  });

  it('--copytruncate under a live writer: its warning is in the report, and the exit status is 2', async () => {
    const dir = mount();
    const log = path.join(dir, 'app.log');
    holder = (await startNode(APPENDER, [log])).child;
    await new Promise((r) => setTimeout(r, 100));
    const r = run(['--copytruncate', '--no-stash', '--json', log]);
    const [report] = jsonLines(r.stdout);
    expect(report).toMatchObject({ status: 'compressed', warning: { code: 'LINES_MAY_BE_LOST' } });
    expect(r.stderr).toMatch(/warning: .*can be lost, as with logrotate/);
    expect(r.code).toBe(2);
  });

  it('a real run says "will free", not "would free"; -v shows every step from the first; a simulation still says "would free"', () => {
    const dir = mount(24);
    const log = path.join(dir, 'app.log');
    const hash = writeLog(log, 12 * MiB);
    fill(dir);
    const sim = run(['--simulate', '--no-stash', log]);
    expect(sim.stdout).toMatch(/would free about/);
    const r = run(['-v', '--yes', '--no-stash', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/will free about/);
    expect(r.stdout).not.toMatch(/would free/);
    const shown = [...r.stdout.matchAll(/step (\d+)\/(\d+):/g)].map((m) => Number(m[1]));
    expect(shown[0]).toBe(1);
    expect(shown).toEqual(Array.from({ length: shown.length }, (_, i) => i + 1));
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });

  it('-k on a full disk: the way forward is to free space or drop -k, with no hard link in sight', () => {
    const dir = mount(24);
    const log = path.join(dir, 'app.log');
    writeLog(log, 12 * MiB);
    fill(dir);
    const r = run(['-k', '--no-stash', '--json', log]);
    const report = onlyReport(r, 1);
    expect(report.error.message).toMatch(/-k keeps the original/);
    expect(report.error.hint).toMatch(/drop -k/);
    expect(report.error.hint).not.toMatch(/link/);
  });

  it('a process that only reads the file is described as reading it, not as writing to it', async () => {
    const dir = mount();
    const log = path.join(dir, 'app.log');
    writeLog(log, MiB);
    holder = (await startNode(READER, [log])).child;
    const r = run(['--json', log]);
    const report = onlyReport(r, 1);
    expect(report.error.code).toBe('HELD_OPEN');
    expect(report.error.message).toMatch(/reading/);
    expect(`${report.error.message} ${report.error.hint}`).not.toMatch(/\bwriting|writes to|output/);
  });

  it.skipIf(warnSkip(spawnSync(NOBODY[0], [...NOBODY.slice(1), 'true']).status === 0 ? undefined : 'setpriv cannot drop to uid 65534: the mode-200 case is SKIPPED'))(
    "the owner of a mode-200 file is told to give themselves read permission, not to run as the file's owner",
    () => {
      const dir = mount();
      fs.chmodSync(dir, 0o777);
      const log = path.join(dir, 'app.log');
      writeLog(log, MiB);
      fs.chownSync(log, 65534, 65534);
      fs.chmodSync(log, 0o200);
      // The spec's state folder is root's alone; another user's state places are like /tmp: sticky, open to all.
      const state = path.join(dir, 'state');
      fs.mkdirSync(state);
      fs.chmodSync(state, 0o1777);
      const report = onlyReport(run(['--json', log], { prefix: NOBODY, env: { CMEMGZIP_STATE_DIRS: state } }), 1);
      expect(report.error.code).toBe('UNREADABLE');
      expect(report.error.hint).toMatch(/chmod u\+r/);
      expect(report.error.hint).not.toMatch(/file's owner/);
    },
  );

  it("--rsyncable's refusal describes the layout the README says was chosen", () => {
    const r = run(['--rsyncable', '/nonexistent']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/blocks on their own into one gzip member/);
    expect(r.stderr).not.toMatch(/pigz-style/);
  });
});
