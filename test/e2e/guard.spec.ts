// --until --above, the guard a timer runs: below the mark it changes nothing; above it, the rotated logs
// go and the active one stays; at 0 free with no safe way it takes no window and exits 2.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fill, fillLeaving, gunzipHash, jsonLines, mountFs, mountSkipReason, run, sha256File, treeHash, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

/** df's Use% for the filesystem holding dir, as a number. */
const dfPercent = (dir: string) => Number(execFileSync('df', ['--output=pcent', dir], { encoding: 'utf8' }).trim().split('\n')[1].replace('%', ''));

describe.skipIf(warnSkip(mountSkipReason()))('--until --above', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));

  /** A rotated set on a fresh 32 MiB tmpfs: the active app.log (4 MiB), app.log.1 (8 MiB), app.log.2 (6 MiB). */
  function rotatedSet() {
    const m = mountFs('tmpfs', 32);
    mounts.push(m);
    const d = (name: string) => path.join(m.dir, name);
    const hashes = Object.fromEntries((
      [['app.log', 4], ['app.log.1', 8], ['app.log.2', 6]] as const).map(([name, size]) => [name, writeLog(d(name), size * MiB)]));
    return { dir: m.dir, d, hashes };
  }

  it('below the mark: nothing changes, exit 0, and --json says where it stood', () => {
    const { dir } = rotatedSet();
    fillLeaving(dir, 8 * MiB);
    const tree = treeHash(dir);
    const used = dfPercent(dir);
    expect(used).toBeLessThanOrEqual(90);
    const r = run(['--until', '50%', '--above', '90%', '--json', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(treeHash(dir)).toBe(tree);
    const [summary] = jsonLines(r.stdout);
    expect(summary).toMatchObject({ summary: 'done', met: true, files: [], guard: { above: 90, usedPercent: used, acted: false } });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const human = run(['--until', '50%', '--above', '90%', dir]);
    expect(human.code).toBe(0);
    expect(human.stdout + human.stderr).toContain(`${used}% used as df counts it, not above the 90% mark: nothing to do`);
  });

  it('above the mark: the rotated logs go, beside and with no copy in RAM, the active log stays; down to the target', () => {
    const { dir, d, hashes } = rotatedSet();
    fillLeaving(dir, 2 * MiB);
    const used = dfPercent(dir);
    expect(used).toBeGreaterThan(90);
    const r = run(['--until', '60%', '--above', '90%', '--json', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    const summary = lines.at(-1)!;
    expect(lines.slice(0, -1).map((s) => [path.basename(String(s.file)), s.strategy, s.stash])).toEqual([
      ['app.log.1', 'beside', undefined],
      ['app.log.2', 'beside', undefined],
    ]);
    expect(summary).toMatchObject({ met: true, guard: { above: 90, usedPercent: used, acted: true } });
    expect(summary.passedOver).toContainEqual({ path: d('app.log'), reason: expect.stringMatching(/active log of a rotated set/) });
    expect(dfPercent(dir)).toBeLessThanOrEqual(60);
    for (const name of ['app.log.1', 'app.log.2']) expect(gunzipHash(d(`${name}.gz`))).toBe(hashes[name]);
    expect(sha256File(d('app.log'))).toBe(hashes['app.log']);
  });

  it('above the mark at 0 free with a reserve: the rotated logs go beside in room it lends, no stash, and it is whole after', () => {
    const { dir, d, hashes } = rotatedSet();
    fs.chmodSync(dir, 0o755);
    expect(run(['--reserve', '4M', dir]).code).toBe(0);
    fill(dir);
    const r = run(['--until', '70%', '--above', '90%', '--json', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines.slice(0, -1).map((s) => [path.basename(String(s.file)), s.strategy, s.stash, s.windows])).toEqual([
      ['app.log.1', 'beside', undefined, {}],
      ['app.log.2', 'beside', undefined, {}],
    ]);
    expect(lines[0].reserve).toMatchObject({ path: d('.cmemgzip-reserve'), grownBackBytes: (lines[0].reserve as { lentBytes: number }).lentBytes });
    expect(lines.at(-1)).toMatchObject({ met: true, guard: { acted: true } });
    expect(fs.statSync(d('.cmemgzip-reserve')).size).toBe(4 * MiB);
    for (const name of ['app.log.1', 'app.log.2']) expect(gunzipHash(d(`${name}.gz`))).toBe(hashes[name]);
    expect(sha256File(d('app.log'))).toBe(hashes['app.log']);
  });

  it('above the mark at 0 free with no disk to hold a copy: no window is taken, nothing changes, exit 2', () => {
    const { dir } = rotatedSet();
    fill(dir);
    const tree = treeHash(dir);
    const r = run(['--until', '60%', '--above', '90%', '--json', dir]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(treeHash(dir)).toBe(tree);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ met: false, files: [], guard: { acted: true } });
    expect(r.stderr).toMatch(/target NOT met/);
  });
});
