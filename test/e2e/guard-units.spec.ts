// The guard's systemd units (contrib/systemd, shipped in the .deb): systemd-analyze verify accepts them,
// the timer fires every 5 minutes once enabled, and the service keeps a reserve on /var/log and runs
// `--until 80% --above 90% /var/log`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../../src/cli/program.js';
import { ROOT, warnSkip } from './helpers.js';
import { cannotVerifyUnits, verifyUnits } from './systemd-verify.js';

const unit = (name: string) => path.join(ROOT, 'contrib/systemd', name);
const SERVICE = unit('cmemgzip-guard.service');
const TIMER = unit('cmemgzip-guard.timer');

/** The value of key in a unit file's text (the last one wins, as in systemd). */
const valueOf = (text: string, key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].at(-1)?.[1];

describe.skipIf(warnSkip(cannotVerifyUnits()))('systemd-analyze verify', () => {
  it('accepts the service and the timer, with nothing to say', () => {
    expect(verifyUnits([SERVICE, TIMER])).toEqual({ code: 0, output: '' });
  });

  it('would say something of a broken unit: the check has teeth', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-units-'));
    try {
      const broken = path.join(dir, 'cmemgzip-guard.timer');
      fs.writeFileSync(broken, fs.readFileSync(TIMER, 'utf8').replace('OnUnitActiveSec', 'OnUnitActveSec'));
      expect(verifyUnits([SERVICE, broken]).output).toMatch(/Unknown key 'OnUnitActveSec'/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the units', () => {
  const service = fs.readFileSync(SERVICE, 'utf8');
  const timer = fs.readFileSync(TIMER, 'utf8');

  it('run cmemgzip --until 80% --above 90% /var/log, as cmemgzip parses it (%% is systemd for %)', () => {
    expect(valueOf(service, 'ExecStart')).toBe('/usr/bin/cmemgzip $CMEMGZIP_GUARD_ARGS');
    const args = [...service.matchAll(/^Environment="CMEMGZIP_GUARD_ARGS=(.*)"$/gm)][0][1].replaceAll('%%', '%').split(/\s+/);
    expect(args).toEqual(['--until', '80%', '--above', '90%', '/var/log']);
    const parsed = parseArgs(args, {});
    expect(parsed).toMatchObject({ options: { target: { kind: 'until', usedFraction: 0.8 }, above: 90, yes: false }, files: ['/var/log'] });
    expect(valueOf(service, 'EnvironmentFile')).toBe('-/etc/default/cmemgzip-guard');
    // The reserve, kept before each run; its failure (no room yet) does not stop the guard.
    expect(valueOf(service, 'ExecStartPre')).toBe('-/usr/bin/cmemgzip --quiet --reserve $CMEMGZIP_GUARD_RESERVE');
    const reserve = [...service.matchAll(/^Environment="CMEMGZIP_GUARD_RESERVE=(.*)"$/gm)][0][1].split(/\s+/);
    expect(parseArgs(['--quiet', '--reserve', ...reserve], {})).toMatchObject({ options: { reserve: 256 * 2 ** 20, quiet: true }, files: ['/var/log'] });
    expect(valueOf(service, 'Type')).toBe('oneshot');
    expect(service, 'a private /tmp would take a safety copy with it').not.toMatch(/^PrivateTmp=(yes|true)/m);
  });

  it('fire every 5 minutes once enabled, from timers.target', () => {
    expect(valueOf(timer, 'OnUnitActiveSec')).toBe('5min');
    expect(valueOf(timer, 'WantedBy')).toBe('timers.target');
  });
});
