import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fill, gunzipHash, mountFs, mountSkipReason, run, warnSkip, writeLog, type Mounted } from './helpers.js';

describe.skipIf(warnSkip(mountSkipReason()))('smoke: a full tmpfs', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));

  it('turns a log into a verified .gz at 0 bytes free', () => {
    const m = mountFs('tmpfs', 32);
    mounts.push(m);
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 20 * 2 ** 20);
    fill(m.dir);
    const r = run(['--no-stash', '--yes', log]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  });
});
