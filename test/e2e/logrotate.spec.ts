// The logrotate recipe that ships (contrib/logrotate/full-disk.conf), run by Debian's real logrotate on a
// full tmpfs: logrotate's own gzip fails there; with the recipe rotation happens and the rotated file
// becomes a .gz that gzip decompresses to the same bytes, rotation after rotation.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, fill, gunzipHash, mountFs, mountSkipReason, ROOT, warnSkip, writeLog, type Mounted } from './helpers.js';

const LOGROTATE = '/usr/sbin/logrotate';
const RECIPE = path.join(ROOT, 'contrib/logrotate/full-disk.conf');
const MiB = 2 ** 20;

function cannotTest(): string | undefined {
  if (!fs.existsSync(LOGROTATE)) return `${LOGROTATE} IS MISSING: the logrotate recipe is NOT TESTED`;
  return mountSkipReason();
}

describe.skipIf(warnSkip(cannotTest()))('the logrotate recipe on a full disk', () => {
  let m: Mounted | undefined;
  /** logrotate's config and state file, outside the full filesystem. */
  let work: string | undefined;
  afterEach(() => {
    m?.unmount();
    if (work) fs.rmSync(work, { recursive: true, force: true });
    m = work = undefined;
  });

  /** A 16 MiB tmpfs holding app.log, then full; logrotate refuses a folder others can write, as tmpfs's root is. */
  function fullLog(): { log: string; hash: string } {
    m = mountFs('tmpfs', 16);
    fs.chmodSync(m.dir, 0o755);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 8 * MiB);
    fill(m.dir);
    return { log, hash };
  }

  /** logrotate -f with its own state file, on config text; cmemgzip is this build's. */
  function rotate(config: string) {
    work ??= fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-logrotate-'));
    const conf = path.join(work, 'conf');
    fs.writeFileSync(conf, config);
    const r = spawnSync(LOGROTATE, ['-f', '-s', path.join(work, 'state'), conf], { encoding: 'utf8' });
    return { code: r.status, stderr: r.stderr };
  }

  it("logrotate's own compress fails there: the control", () => {
    const { log } = fullLog();
    const r = rotate(`${log} {\n  rotate 2\n  compress\n}\n`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/No space left on device|failed to compress/);
    expect(fs.existsSync(`${log}.1.gz`) && gunzipOk(`${log}.1.gz`)).toBe(false);
  });

  it('the shipped recipe: rotated, then compressed by cmemgzip at 0 free; twice, logrotate shifting the .gz files', () => {
    const { log, hash } = fullLog();
    const config = fs
      .readFileSync(RECIPE, 'utf8')
      .replace('/var/log/myapp/*.log', log)
      .replace('/usr/bin/cmemgzip', `${process.execPath} ${CLI}`);
    const first = rotate(config);
    expect(first.code, first.stderr).toBe(0);
    expect(fs.readdirSync(m!.dir).sort()).toEqual(['.filler', 'app.log', 'app.log.1.gz']);
    expect(fs.statSync(log).size).toBe(0);
    expect(gunzipHash(`${log}.1.gz`)).toBe(hash);

    // The service logged again, and the disk filled again.
    fs.rmSync(path.join(m!.dir, '.filler'));
    const again = writeLog(log, 6 * MiB);
    fill(m!.dir);
    const second = rotate(config);
    expect(second.code, second.stderr).toBe(0);
    expect(fs.readdirSync(m!.dir).sort()).toEqual(['.filler', 'app.log', 'app.log.1.gz', 'app.log.2.gz']);
    expect(gunzipHash(`${log}.2.gz`)).toBe(hash);
    expect(gunzipHash(`${log}.1.gz`)).toBe(again);
  });
});

function gunzipOk(gz: string): boolean {
  try {
    execFileSync('gzip', ['-t', gz], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
