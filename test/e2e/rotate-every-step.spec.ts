// logrotate renames FILE to FILE.1 and its writer begins a new FILE at every step seam of each strategy:
// the new FILE is never touched, and every original byte is in FILE.1, FILE.1.gz or FILE.gz (one of them whole).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { atStep, fillLeaving, logData, mountFs, mountSkipReason, onlyReport, run, warnSkip, type Mounted } from './helpers.js';

const MiB = 2 ** 20;

describe.skipIf(warnSkip(mountSkipReason()))('logrotate at every step seam', () => {
  const mounts: Mounted[] = [];
  afterEach(() => mounts.splice(0).forEach((m) => m.unmount()));
  const stopsOf = (steps: { name: string; repeat?: unknown }[]) => steps.filter((s) => s.name !== 'read and compress' && !s.repeat).map((s) => s.name);

  it.each([
    ['beside, streamed', ['--no-stash'], false],
    ['through a safety copy', ['--stash', 'STASH'], true],
    ['in place', ['--no-stash', '--yes'], true],
    // A file with a hole: overwriting it would need new blocks, so FILE is unlinked first.
    ['through a safety copy, FILE with a hole', ['--stash', 'STASH'], true, true],
    ['in place, FILE with a hole', ['--no-stash', '--yes'], true, true],
  ])('%s', async (_name, args, full, holed = false) => {
    const prepare = () => {
      const m = mountFs('tmpfs', 24);
      const stash = mountFs('tmpfs', 16);
      mounts.push(m, stash);
      const file = path.join(m.dir, 'app.log');
      fs.writeFileSync(file, logData(4 * MiB));
      if (holed) {
        const fd = fs.openSync(file, 'r+');
        fs.writeSync(fd, logData(MiB), 0, MiB, 6 * MiB);
        fs.closeSync(fd);
      }
      if (full) fillLeaving(m.dir, 64 * 1024);
      return { m, stash, file, argv: [...args.map((a) => (a === 'STASH' ? stash.dir : a)), file] };
    };
    const probe = prepare();
    const steps = stopsOf(onlyReport(run(['--simulate', '--json', ...probe.argv]), 0).steps);
    mounts.splice(0).forEach((m) => m.unmount());
    const fresh = Buffer.from('the first line of the new log\n');
    const wrong: string[] = [];
    const seen: string[] = [];
    for (const step of steps) {
      const { m, stash, file, argv } = prepare();
      const original = fs.readFileSync(file);
      let rotated = false;
      const r = await atStep(argv, step, () => {
        // logrotate rotates only a FILE that is there (a rewrite in place may have renamed it to its .gz already).
        if (!fs.existsSync(file)) return;
        fs.renameSync(file, `${file}.1`);
        fs.writeFileSync(file, fresh);
        rotated = true;
      });
      const gunzip = (f: string) => (fs.existsSync(f) ? execFileSync('gzip', ['-dc', f], { maxBuffer: 2 ** 30 }) : undefined);
      const whole = [fs.existsSync(`${file}.1`) ? fs.readFileSync(`${file}.1`) : undefined, gunzip(`${file}.1.gz`), gunzip(`${file}.gz`)].some((b) => b?.equals(original));
      const names = fs.readdirSync(m.dir).filter((f) => f !== '.filler').sort();
      const stashed = fs.readdirSync(stash.dir, { recursive: true });
      const line = `at "${step}"${rotated ? '' : ' (FILE gone, not rotated)'}: exit ${r.code}; ${names.join(' ')}; stash ${stashed.length}; ${r.output.split('\n').filter((l) => /error|warn/.test(l)).join(' / ')}`;
      seen.push(line);
      if (!whole || (rotated && !fs.readFileSync(file).equals(fresh))) wrong.push(line);
      mounts.splice(0).forEach((x) => x.unmount());
    }
    console.log(seen.join('\n'));
    expect(wrong).toEqual([]);
  }, 300_000);
});
