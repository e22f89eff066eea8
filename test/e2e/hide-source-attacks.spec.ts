// FILE at its hidden name while block mode cuts it, against another user and a holder: what a review found, each
// case failing on 83a758c.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { blockStep } from '../../src/plan/steps.js';
import { hiddenName } from '../../src/steps/hide-source.js';
import { atStep, isRoot, killAt, logData, mountFs, mountSkipReason, run, sha256, sleep, warnSkip, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const as65534 = (...cmd: string[]) => execFileSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...cmd]);

/** The FNAME field of a gzip header (no FEXTRA), or undefined. */
function storedName(gz: string): string | undefined {
  const head = fs.readFileSync(gz).subarray(0, 4096);
  if ((head[3] & 0x08) === 0) return undefined;
  return head.subarray(10, head.indexOf(0, 10)).toString('latin1');
}

describe.skipIf(!isRoot || warnSkip(mountSkipReason()))('block mode with FILE at its hidden name, against another user and a holder', () => {
  let m: Mounted | undefined;
  afterEach(() => {
    m?.unmount();
    m = undefined;
  });
  /** A world-writable sticky folder, as /tmp. */
  const shared = () => {
    m = mountFs('tmpfs', 64);
    fs.chmodSync(m.dir, 0o1777);
    return m.dir;
  };

  const PRECIOUS = 'precious, root only\n';
  /** In a sticky shared folder: a log of uid 65534, and root's own victim.gz beside it. */
  const userLogBesideRootGz = () => {
    const dir = shared();
    const log = path.join(dir, 'a.log');
    fs.writeFileSync(log, logData(4 * MiB));
    fs.chownSync(log, 65534, 65534);
    const victim = path.join(dir, 'victim.gz');
    fs.writeFileSync(victim, PRECIOUS, { mode: 0o600 });
    return { dir, log, victim };
  };

  it('a rerun after a kill past the move stores FILE\'s name in the header, not the hidden one (gzip -N)', async () => {
    const dir = shared();
    const log = path.join(dir, 'app.log');
    const original = logData(4 * MiB);
    fs.writeFileSync(log, original);
    await killAt(['--no-stash', '-m', '1M', log], blockStep(2, 'read'));
    expect(fs.existsSync(hiddenName(log))).toBe(true);
    const r = run([log]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }))).toBe(sha256(original));
    // Found: '.app.log.cmemgzip-source', so gzip -dN restores the file under the hidden name.
    expect(storedName(`${log}.gz`)).toBe('app.log');
  });

  it("-r never renames a job's .gz over another file: a user renames its own killed job's hidden file to .victim.cmemgzip-source", async () => {
    const { dir, log, victim } = userLogBesideRootGz();
    await killAt(['--no-stash', '-m', '1M', log], blockStep(2, 'read'));
    // The inode is the user's own: the sticky bit lets it rename it.
    as65534('mv', hiddenName(log), path.join(dir, '.victim.cmemgzip-source'));
    run(['-r', dir]);
    // Found: -r maps the hidden name to "victim", resumes the user's job and renames its .gz over root's victim.gz.
    expect(fs.readFileSync(victim, 'utf8'), 'victim.gz was replaced').toBe(PRECIOUS);
    expect(fs.statSync(victim).uid).toBe(0);
  });

  it('-r over a folder where another user planted a hidden name: the planted file is passed over, the logs compressed, no error (it failed on a FILE that never was)', () => {
    const dir = shared();
    const log = path.join(dir, 'app.log');
    const data = logData(MiB);
    fs.writeFileSync(log, data);
    as65534('sh', '-c', `echo planted > ${path.join(dir, '.x.cmemgzip-source')}`);
    const r = run(['-r', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(sha256(execFileSync('gzip', ['-dc', `${log}.gz`], { maxBuffer: 2 ** 30 }))).toBe(sha256(data));
    expect(fs.readFileSync(path.join(dir, '.x.cmemgzip-source'), 'utf8')).toBe('planted\n');
  });

  it("the file's owner renaming the hidden file mid-run does not make the run replace another file's .gz", async () => {
    const { dir, log, victim } = userLogBesideRootGz();
    await atStep(['--no-stash', '-m', '1M', log], blockStep(2, 'read'), () => void as65534('mv', hiddenName(log), path.join(dir, 'victim')));
    // Found: the run takes "victim" for a logrotate rename and renames the user's .gz over root's victim.gz.
    expect(fs.readFileSync(victim, 'utf8'), 'victim.gz was replaced').toBe(PRECIOUS);
  });

  it('--scan does not advise compressing the hidden name (that gives .FILE.cmemgzip-source.gz)', async () => {
    const dir = shared();
    const log = path.join(dir, 'app.log');
    fs.writeFileSync(log, logData(4 * MiB));
    await killAt(['--no-stash', '-m', '1M', log], blockStep(2, 'read'));
    const r = run(['--scan', dir]);
    // Found: 'next: cmemgzip DIR/.app.log.cmemgzip-source', which resumes the job into .app.log.cmemgzip-source.gz.
    expect(r.stdout + r.stderr).not.toContain(`cmemgzip ${hiddenName(log)}\n`);
  });

  it('a rerun from the hidden name waits for a process that holds it, as the move does (its lines are not lost)', async () => {
    const dir = shared();
    const log = path.join(dir, 'app.log');
    const original = logData(4 * MiB);
    fs.writeFileSync(log, original);
    await killAt(['--no-stash', '-m', '1M', log], blockStep(2, 'read'));
    const hidden = hiddenName(log);
    const go = path.join(dir, '..', `${path.basename(dir)}.go`);
    // A writer that opened FILE before the move (and before the kill) and writes one more line later.
    const holder = spawn('bash', ['-c', 'exec 3>>"$0"; echo ready; while [ ! -e "$1" ]; do sleep 0.01; done; echo "a line written through the old descriptor" >&3', hidden, go], { stdio: ['ignore', 'pipe', 'ignore'] });
    await new Promise((r) => holder.stdout.once('data', r));
    const r = run([log]);
    fs.writeFileSync(go, '');
    await new Promise((r) => holder.once('exit', r));
    fs.rmSync(go);
    await sleep(10);
    // Found: the rerun never looks for holders (hideFirst returns at once for a hidden name), cuts under the
    // writer, and unlinks the hidden name it still holds: its next line goes to a deleted inode.
    const everywhere = fs.readdirSync(dir).map((f) => {
      const p = path.join(dir, f);
      return f.endsWith('.gz') ? execFileSync('gzip', ['-dc', p], { maxBuffer: 2 ** 30 }).toString('latin1') : fs.statSync(p).isFile() ? fs.readFileSync(p, 'latin1') : '';
    });
    expect(everywhere.join('').includes('a line written through the old descriptor'), `run: ${r.code} ${r.stderr}`).toBe(true);
  });
});
