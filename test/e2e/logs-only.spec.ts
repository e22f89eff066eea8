// --until / --free take logs by default (a log's name, or text): the disk filled by a file of zeros and four logs.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipHash, jsonLines, mountFs, mountSkipReason, run, sha256File, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

describe.skipIf(warnSkip(mountSkipReason()))('the target mode takes logs', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));

  function disk() {
    const m = mountFs('tmpfs', 64);
    mounts.push(m);
    const d = (name: string) => path.join(m.dir, name);
    fs.writeFileSync(d('zeros.img'), Buffer.alloc(30 * MiB)); // a VM image's or a stopped database's file, as far as a name and bytes tell
    fs.writeFileSync(d('app.bin'), crypto.randomBytes(64 * 1024).toString('latin1').repeat(16), 'latin1'); // binary bytes, 1 MiB
    const logs = ['app.log.1', 'worker.log', 'syslog', 'console.out'].map(d);
    const hashes = logs.map((log) => writeLog(log, 6 * MiB));
    fs.writeFileSync(d('notes'), fs.readFileSync(logs[0]).subarray(0, 2 * MiB)); // text under no log's name: a log too
    return { dir: m.dir, d, logs, hashes };
  }

  it('--until 70%: the logs (and text) are compressed, the file of zeros and the binary passed over with the reason; the target is met', () => {
    const t = disk();
    const zeros = sha256File(t.d('zeros.img'));
    const r = run(['--until', '70%', '--yes', '--no-stash', '--json', t.dir]);
    expect(r.code, r.stderr).toBe(0);
    const summary = jsonLines(r.stdout).find((o) => o.summary) as { files: string[]; met: boolean; passedOver: { path: string; reason: string }[] };
    expect(summary.met).toBe(true);
    expect(summary.files).not.toContain(t.d('zeros.img'));
    expect(sha256File(t.d('zeros.img'))).toBe(zeros);
    for (const name of ['zeros.img', 'app.bin']) expect(summary.passedOver).toContainEqual({ path: t.d(name), reason: expect.stringMatching(/^not a log .*--any-file takes it$/) });
    for (const f of summary.files) expect([...t.logs, t.d('notes')]).toContain(f);
    t.logs.forEach((log, i) => summary.files.includes(log) && expect(gunzipHash(`${log}.gz`)).toBe(t.hashes[i]));
  });

  it('--any-file widens it: the file of zeros is taken first (it frees the most)', () => {
    const t = disk();
    const r = run(['--until', '70%', '--any-file', '--simulate', '--json', t.dir]);
    expect(r.code, r.stderr).toBe(0);
    const planned = jsonLines(r.stdout).filter((o) => o.status === 'planned');
    expect(planned[0].file).toBe(t.d('zeros.img'));
  });

  it('--scan and --until agree: no command is suggested for the active log of a rotated set, nor for what is no log', () => {
    const m = mountFs('tmpfs', 64);
    mounts.push(m);
    const d = (name: string) => path.join(m.dir, name);
    writeLog(d('app.log'), 6 * MiB);
    writeLog(d('app.log.1'), 6 * MiB);
    fs.writeFileSync(d('zeros.img'), Buffer.alloc(8 * MiB));
    const [scan] = jsonLines(run(['--scan', '--json', m.dir]).stdout) as { largest: { path: string; untilPassesOver?: string }[]; commands: string[] }[];
    expect(scan.commands[0]).toBe(`cmemgzip ${d('app.log.1')}`);
    for (const c of scan.commands) expect(c).not.toMatch(/app\.log( |$)|zeros\.img/);
    const until = jsonLines(run(['--until', '1%', '--simulate', '--json', m.dir]).stdout).find((o) => o.summary) as { passedOver: { path: string; reason: string }[] };
    for (const name of ['app.log', 'zeros.img']) {
      const why = until.passedOver.find((p) => p.path === d(name))?.reason;
      expect(why, name).toBeDefined();
      expect(scan.largest.find((c) => c.path === d(name))?.untilPassesOver, name).toBe(why);
    }
  });
});
