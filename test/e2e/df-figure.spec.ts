// "% used" reads as df's beside it: used / (used + available), rounded up, in --scan, --until and --json.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, mountFs, mountSkipReason, run, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;
const dfPercent = (dir: string) => execFileSync('df', ['--output=pcent', dir], { encoding: 'utf8' }).split('\n')[1].trim();

describe.skipIf(warnSkip(mountSkipReason()))("df's Use%", () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));

  it('an ext4 with a 20% root reserve: --scan, --until and their --json say what df says', () => {
    const m = mountFs('ext4', 64);
    mounts.push(m);
    execFileSync('tune2fs', ['-m', '20', `${m.dir}.img`], { stdio: 'ignore' });
    for (let i = 0; i < 3; i++) writeLog(path.join(m.dir, `app.log.${i + 1}`), 8 * MiB);
    const df = dfPercent(m.dir);

    const scan = run(['--scan', m.dir]);
    expect(scan.code, scan.stderr).toBe(0);
    expect(scan.stdout).toContain(`${m.dir} (ext4): ok: space ${df} used`);
    const [found] = jsonLines(run(['--scan', '--json', m.dir]).stdout);
    expect(Math.ceil((found.usedFraction as number) * 100)).toBe(Number(df.replace('%', '')));

    const until = run(['--until', '10%', '--simulate', m.dir]);
    expect(until.code, until.stderr).toBe(0);
    expect(until.stdout).toContain(`${m.dir} (ext4): ${df} used,`);
    const summary = jsonLines(run(['--until', '10%', '--simulate', '--json', m.dir]).stdout).find((o) => o.summary) as { before: { usedFraction: number } };
    expect(Math.ceil(summary.before.usedFraction * 100)).toBe(Number(df.replace('%', '')));
  });

  it('--until judges its target on the same figure: a target just above df\'s use is met already, nothing compressed', () => {
    const m = mountFs('ext4', 64);
    mounts.push(m);
    execFileSync('tune2fs', ['-m', '20', `${m.dir}.img`], { stdio: 'ignore' });
    writeLog(path.join(m.dir, 'app.log.1'), 16 * MiB);
    const df = Number(dfPercent(m.dir).replace('%', ''));
    const r = run(['--until', `${df + 1}%`, '--simulate', m.dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('target met');
    expect(r.stdout).not.toContain('plan:');
  });
});
