// Compressed data is known by its first bytes, whatever its name, in -r, --until and --scan alike: none of them touches it.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gunzipHash, jsonLines, mountFs, mountSkipReason, run, sha256File, warnSkip, writeLog, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

/** Packs `data` with a system tool when it is installed, else writes the format's magic then the data (enough to be told by its first bytes). */
function packed(dir: string, format: string, data: Buffer): string {
  const file = path.join(dir, `${format}-data.log`); // a log's name on purpose: the content decides
  const tool: Record<string, string[]> = { xz: ['xz', '-c'], zstd: ['zstd', '-c'], bzip2: ['bzip2', '-c'], lz4: ['lz4', '-c'], gzip: ['gzip', '-c'] };
  const magic: Record<string, number[]> = { lzip: [0x4c, 0x5a, 0x49, 0x50, 1], '7z': [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], zip: [0x50, 0x4b, 0x03, 0x04] };
  const cmd = tool[format];
  let bytes: Buffer | undefined;
  if (cmd) {
    try {
      bytes = execFileSync(cmd[0], cmd.slice(1), { input: data, maxBuffer: 2 ** 28 });
    } catch {
      console.warn(`!!!!!!!!!! ${cmd[0]} is not installed: its magic bytes stand in for its output !!!!!!!!!!`);
    }
  }
  fs.writeFileSync(file, bytes ?? Buffer.concat([Buffer.from(magic[format] ?? tool[format] ?? []), data]));
  return file;
}

const FORMATS = ['gzip', 'xz', 'zstd', 'bzip2', 'lz4', 'lzip', 'zip', '7z'];

describe.skipIf(warnSkip(mountSkipReason()))('compressed data known by content', () => {
  const mounts: Mounted[] = [];
  afterAll(() => mounts.forEach((m) => m.unmount()));

  function tree() {
    const m = mountFs('tmpfs', 64);
    mounts.push(m);
    // Random bytes: compressing them again would grow them, as the issue's .xz went to 100.3%.
    const noise = crypto.randomBytes(2 * MiB);
    const files = Object.fromEntries(FORMATS.map((f) => [f, packed(m.dir, f, noise)]));
    const log = path.join(m.dir, 'plain.log');
    const hash = writeLog(log, 4 * MiB);
    return { dir: m.dir, files, log, hash };
  }

  it('-r compresses the plain log only, and says why each other file is left', () => {
    const t = tree();
    const before = Object.fromEntries(FORMATS.map((f) => [f, sha256File(t.files[f])]));
    const r = run(['-r', '--json', '--yes', '--no-stash', t.dir]);
    expect(r.code, r.stderr).toBe(0);
    const reports = jsonLines(r.stdout);
    expect(gunzipHash(`${t.log}.gz`)).toBe(t.hash);
    for (const f of FORMATS) {
      expect(sha256File(t.files[f]), f).toBe(before[f]);
      expect(fs.existsSync(`${t.files[f]}.gz`), f).toBe(false);
      expect(reports.find((o) => o.file === t.files[f]), f).toMatchObject({ status: 'ignored', reason: `already compressed (${f} data)` });
    }
  });

  it('--until passes them over by content, and --scan lists them as compressed already', () => {
    const t = tree();
    const until = run(['--until', '1%', '--simulate', '--json', t.dir]);
    expect(until.code, until.stderr).not.toBeNull();
    const summary = jsonLines(until.stdout).find((o) => o.summary) as { passedOver: { path: string; reason: string }[] };
    for (const f of FORMATS) expect(summary.passedOver, f).toContainEqual({ path: t.files[f], reason: `already compressed (${f} data)` });
    const [scan] = jsonLines(run(['--scan', '--json', t.dir]).stdout) as { alreadyCompressed: { path: string; format: string }[] }[];
    expect(scan.alreadyCompressed.map((c) => c.format).sort()).toEqual([...FORMATS].sort());
  });
});
