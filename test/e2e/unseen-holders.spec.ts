// Holders the tool cannot see: run as an ordinary user on its own log while a root process appends to it,
// and under a /proc mounted hidepid=2. The check is incomplete, so FILE is neither removed nor rewritten
// unless --copytruncate or --assume-unheld says how; no line the holder writes is lost.
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { gunzipHash, killChild, mountFs, mountSkipReason, onlyReport, run, sha256File, sleep, startNode, warnSkip, type Mounted } from './helpers.js';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
/** A private mount namespace whose /proc hides other users' processes (2) or their contents (1), then the command as nobody. */
const hidepid = (n: 1 | 2) => ['unshare', '-m', 'sh', '-c', `mount -t proc -o hidepid=${n} proc /proc && exec "$@"`, 'sh', ...NOBODY];
const HIDEPID = hidepid(2);
const canDrop = () => spawnSync(NOBODY[0], [...NOBODY.slice(1), 'true']).status === 0;
const canHidepid = () => spawnSync(HIDEPID[0], [...HIDEPID.slice(1), 'true']).status === 0;
const skip = mountSkipReason() ?? (canDrop() ? undefined : 'setpriv cannot drop to uid 65534: the unseen-holder tests are SKIPPED');

/** Holds the log open with O_APPEND, quiet while the tool runs; appends a numbered line at each SIGUSR1. */
const APPENDER = `
const fs = require('node:fs');
const fd = fs.openSync(process.argv[1], 'a');
let n = 0;
process.on('SIGUSR1', () => fs.writeSync(fd, 'appended ' + ++n + '\\n'));
console.log('ready');
setInterval(() => {}, 1000);
`;

describe.skipIf(warnSkip(skip))('a root process holds a user\'s log the user cannot see it hold', () => {
  let disk: Mounted;
  let home: string;
  let state: string;
  let holder: ChildProcess | undefined;
  beforeAll(() => {
    disk = mountFs('tmpfs', 16);
  });
  afterAll(() => disk?.unmount());
  afterEach(async () => {
    await killChild(holder);
    holder = undefined;
    fs.rmSync(home, { recursive: true, force: true });
  });

  /** The user's folder and log, its state folder, and a root appender holding the log open. */
  async function prepare(): Promise<string> {
    home = path.join(disk.dir, 'user');
    state = path.join(home, 'state');
    fs.mkdirSync(state, { recursive: true, mode: 0o700 });
    const log = path.join(home, 'app.log');
    fs.writeFileSync(log, Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
    for (const p of [home, state, log]) fs.chownSync(p, 65534, 65534);
    holder = (await startNode(APPENDER, [log])).child;
    return log;
  }

  /** The holder's next lines, written after the run, land in the log after the original ones. */
  async function expectNothingLost(log: string): Promise<void> {
    for (let i = 0; i < 3; i++) {
      holder!.kill('SIGUSR1');
      await sleep(50);
    }
    await killChild(holder);
    holder = undefined;
    const lines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(lines.slice(0, 5000)).toEqual(Array.from({ length: 5000 }, (_, i) => `line ${i}`));
    const appended = lines.slice(5000);
    expect(appended).toEqual(['appended 1', 'appended 2', 'appended 3']);
  }

  it('as that user: refused, saying how many processes it could not inspect and what to do; nothing lost', async () => {
    const log = await prepare();
    const r = run(['--json', log], { prefix: NOBODY, env: { CMEMGZIP_STATE_DIRS: state } });
    const report = onlyReport(r, 1);
    expect(report.error).toMatchObject({ code: 'HOLDERS_UNSEEN' });
    expect(report.error.message).toMatch(/\d+ process(es)? could not be inspected/);
    expect(report.error.hint).toMatch(/run as root.*--copytruncate.*--assume-unheld/);
    expect(report.holderCheck).toMatchObject({ complete: false });
    expect(report.holderCheck.uninspectedProcesses).toBeGreaterThanOrEqual(1);
    expect(r.stderr).not.toMatch(/no other process holds it open/);
    expect(fs.existsSync(`${log}.gz`)).toBe(false);
    await expectNothingLost(log);
  });

  it('as that user with -v: never says that nobody holds it', async () => {
    const log = await prepare();
    const r = run(['-v', log], { prefix: NOBODY, env: { CMEMGZIP_STATE_DIRS: state } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr + r.stdout).not.toMatch(/no other process holds it open/);
    expect(r.stderr).toMatch(/--assume-unheld/);
    await expectNothingLost(log);
  });

  it('--assume-unheld goes ahead, saying what it does not know', async () => {
    const log = await prepare();
    await killChild(holder);
    holder = undefined;
    const hash = sha256File(log);
    const r = run(['-v', '--assume-unheld', log], { prefix: NOBODY, env: { CMEMGZIP_STATE_DIRS: state } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr + r.stdout).toMatch(/not known whether another process holds it open/);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });

  it.skipIf(warnSkip(canHidepid() ? undefined : 'unshare -m / mount -t proc -o hidepid=2 FAILED: the hidepid=2 test is SKIPPED'))(
    'under a /proc mounted hidepid=2: refused, the count unknown and said so; nothing lost',
    async () => {
      const log = await prepare();
      const r = run(['--json', log], { prefix: HIDEPID, env: { CMEMGZIP_STATE_DIRS: state } });
      const report = onlyReport(r, 1);
      expect(report.error).toMatchObject({ code: 'HOLDERS_UNSEEN' });
      expect(report.error.message).toMatch(/hidden from this user \(hidepid=(2|invisible)\)/);
      expect(report.holderCheck).toEqual({ complete: false, uninspectedProcesses: null, why: expect.stringMatching(/hidepid/) });
      await expectNothingLost(log);
    },
  );

  it.skipIf(warnSkip(canHidepid() ? undefined : 'unshare -m / mount -t proc FAILED: the hidepid=1 test is SKIPPED'))(
    'under a /proc mounted hidepid=1 (other users\' /proc/PID/fd give EPERM): refused, those processes counted; nothing lost',
    async () => {
      const log = await prepare();
      const report = onlyReport(run(['--json', log], { prefix: hidepid(1), env: { CMEMGZIP_STATE_DIRS: state } }), 1);
      expect(report.error).toMatchObject({ code: 'HOLDERS_UNSEEN' });
      expect(report.holderCheck.uninspectedProcesses).toBeGreaterThanOrEqual(1);
      await expectNothingLost(log);
    },
  );
});
