// The holder check that counts is the one just before FILE is removed: a process that opens FILE after
// the run's first look (a -r run looks once for many files) is still caught there, the run stopped at
// its "remove FILE" step (CMEMGZIP_STOP_AT_STEPS) while the holder opens it: FILE is refused and intact.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { jsonLines, killChild, mountFs, mountSkipReason, sha256File, sleep, start, startNode, stateOf, warnSkip, watch, writeLog, type Mounted } from './helpers.js';
import type { ChildProcess } from 'node:child_process';

/** Opens every file named for reading, says ready, and holds them until killed. */
const HOLDER = `
const fs = require('node:fs');
const fds = process.argv.slice(1).map((f) => fs.openSync(f, 'r'));
console.log('ready ' + fds.length);
setInterval(() => {}, 1000);
`;

describe.skipIf(warnSkip(mountSkipReason()))('a holder that opens FILE after the first look', () => {
  const mounts: Mounted[] = [];
  let holder: ChildProcess | undefined;
  afterEach(async () => {
    await killChild(holder);
    holder = undefined;
  });
  afterAll(() => mounts.forEach((m) => m.unmount()));

  /**
   * Runs the CLI stopping at each step; at the first "remove FILE" the holder opens `files`, then the run goes on.
   * Resolves with the run's JSON reports and exit code.
   */
  async function runOpeningAtRemoval(argv: string[], files: string[]) {
    const child = watch(start(['--json', ...argv], { env: { CMEMGZIP_STOP_AT_STEPS: '1' } }));
    const stopLines = () => [...child.output().matchAll(/^stopped at: (.*)$/gm)].map((x) => x[1]);
    let seen = 0;
    for (;;) {
      while (!child.done() && stopLines().length <= seen) await Promise.race([sleep(2), child.exited]);
      if (child.done()) break;
      while (stateOf(child.child.pid!) !== 'T' && !child.done()) await sleep(1);
      if (stopLines()[seen++] === 'remove FILE' && !holder) holder = (await startNode(HOLDER, files)).child;
      child.child.kill('SIGCONT');
    }
    const { code } = await child.exited;
    expect(holder, 'the run never reached "remove FILE"').toBeDefined();
    return { code, reports: jsonLines(child.output().split('\n').filter((l) => l.startsWith('{')).join("\n")) as Record<string, any>[] };
  }

  it('one file: refused at its removal, the .gz taken back, FILE intact', async () => {
    const m = mountFs('tmpfs', 32);
    mounts.push(m);
    const file = path.join(m.dir, 'app.log');
    writeLog(file, 256 * 1024);
    const hash = sha256File(file);
    const { code, reports } = await runOpeningAtRemoval([file], [file]);
    expect(code).toBe(1);
    expect(reports).toHaveLength(1);
    expect(reports[0].error).toMatchObject({ code: 'HELD_OPEN', message: expect.stringMatching(/seen just before removing it.*removed again/) });
    expect(sha256File(file)).toBe(hash);
    expect(fs.existsSync(`${file}.gz`)).toBe(false);
  }, 60_000);

  it('-r over many files checked by one look: every file still there when the holder opened it is refused, intact', async () => {
    const m = mountFs('tmpfs', 32);
    mounts.push(m);
    const files = Array.from({ length: 24 }, (_, i) => path.join(m.dir, `app-${String(i).padStart(2, '0')}.log`));
    const hashes = files.map((f, i) => (writeLog(f, 16 * 1024 + i * 512), sha256File(f)));
    const { code, reports } = await runOpeningAtRemoval(['-r', m.dir], files);
    expect(code).toBe(1);
    expect(reports.map((r) => r.file)).toEqual(files);
    // The holder opened them all at the first "remove FILE": none was removed before it, so none may be now.
    for (const [i, r] of reports.entries()) {
      expect(r.error?.code, `${r.file}: ${JSON.stringify(r)}`).toBe('HELD_OPEN');
      expect(sha256File(files[i])).toBe(hashes[i]);
      expect(fs.existsSync(`${files[i]}.gz`)).toBe(false);
    }
  }, 120_000);
});
