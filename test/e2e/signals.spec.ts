// Real signals at chosen steps: SIGINT/SIGTERM clean up outside a window and wait inside one; SIGHUP never stops a run.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fillLeaving, gunzipHash, mountFs, mountSkipReason, sha256File, start, warnSkip, watch, writeLog, type Mounted, type Watched } from './helpers.js';

const MiB = 2 ** 20;
/** Large enough that each step (and the in-place window) lasts tens of milliseconds, far above a signal's latency. */
const SIZE = 40 * MiB;
const EXIT_BY_SIGNAL = { SIGINT: 130, SIGTERM: 143 } as const;

type Strategy = 'beside' | 'stash' | 'in-place';

describe.skipIf(warnSkip(mountSkipReason()))('signals', () => {
  let disk: Mounted;
  let stash: Mounted;
  let file: string;
  let gz: string;
  const live: Watched[] = [];

  beforeAll(() => {
    disk = mountFs('tmpfs', 64);
    stash = mountFs('tmpfs', 16);
    file = path.join(disk.dir, 'app.log');
    gz = `${file}.gz`;
  });
  afterEach(() => {
    for (const w of live.splice(0)) if (!w.done()) w.child.kill('SIGKILL');
  });
  afterAll(() => {
    disk?.unmount();
    stash?.unmount();
  });

  /** A fresh log on a full filesystem (with room for the .gz for 'beside'); returns its hash. */
  function prepare(strategy: Strategy): string {
    for (const dir of [disk.dir, stash.dir]) for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    const hash = writeLog(file, SIZE);
    fillLeaving(disk.dir, strategy === 'beside' ? 8 * MiB : 0);
    return hash;
  }

  const argsFor = (strategy: Strategy) =>
    strategy === 'beside' ? ['--no-stash'] : strategy === 'stash' ? ['--stash', stash.dir] : ['--no-stash', '--yes'];

  function launch(strategy: Strategy, prefix?: string[]): Watched {
    const w = watch(start([...argsFor(strategy), file], { prefix }));
    live.push(w);
    return w;
  }

  const folder = () => fs.readdirSync(disk.dir).sort();
  const stashFiles = () => fs.readdirSync(stash.dir, { recursive: true });

  /** The end state of a finished run: FILE.gz decompresses to the original, and nothing else is left. */
  function expectCompressed(hash: string): void {
    expect(folder()).toEqual(['.filler', 'app.log.gz']);
    expect(gunzipHash(gz)).toBe(hash);
    expect(stashFiles()).toEqual([]);
  }

  /** The end state of an interrupted run: FILE as it was, and no temporary, no .gz, no stash. */
  function expectUntouched(hash: string): void {
    expect(folder()).toEqual(['.filler', 'app.log']);
    expect(sha256File(file)).toBe(hash);
    expect(stashFiles()).toEqual([]);
  }

  // Each step is one where a temporary or stash of ours may exist and FILE is not yet touched.
  const outside: [Strategy, string][] = [
    ['beside', 'temporary first'],
    ['stash', 'writing the stash copy'],
    ['in-place', 'inodes free'],
  ];
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it.each(outside)(`${signal} outside a window (%s, after "%s"): exits non-zero, FILE untouched, nothing left`, async (strategy, step) => {
      const hash = prepare(strategy);
      const w = launch(strategy);
      await w.waitFor(step);
      w.child.kill(signal);
      const { code } = await w.exited;
      expect(code, w.output()).toBe(EXIT_BY_SIGNAL[signal]);
      expect(w.output()).toContain(`${signal} received: removing temporaries`);
      expectUntouched(hash);
    });

  // The line printed just before each strategy's critical window opens.
  const windows: [Strategy, string][] = [
    ['in-place', 'entering the in-place window'],
    ['stash', 'stash copy verified and durable'],
  ];
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    it.each(windows)(`${signal} inside the %s window is held until the file is consistent, and the output says so`, async (strategy, opening) => {
      const hash = prepare(strategy);
      const w = launch(strategy);
      await w.waitFor(opening);
      w.child.kill(signal);
      const { code } = await w.exited;
      const out = w.output();
      expect(out).toContain(`${signal} received during a critical step`);
      expect(out).not.toContain(`${signal} received: removing temporaries`);
      // Held, then honoured: the job was finished (or undone) first, and only then did it stop.
      expect(code, out).toBe(EXIT_BY_SIGNAL[signal]);
      if (fs.existsSync(file)) expectUntouched(hash);
      else expectCompressed(hash);
    });

  it.each(['beside', 'stash', 'in-place'] as const)('SIGHUP mid-run (%s) does not stop it: exit 0 and a valid FILE.gz', async (strategy) => {
    const hash = prepare(strategy);
    const w = launch(strategy);
    // Beside streams the .gz while it reads; the others read first, then write.
    await w.waitFor(strategy === 'beside' ? 'temporary first' : 'blocks in ');
    w.child.kill('SIGHUP');
    const { code } = await w.exited;
    expect(code, w.output()).toBe(0);
    expect(w.output()).toContain('SIGHUP received');
    expectCompressed(hash);
  });

  it('SIGHUP with stdout and stderr on a pipe whose reader has gone: the run still completes', async () => {
    const hash = prepare('in-place');
    // One pipe for both streams, as a terminal would be: once it is closed, every line written fails with EPIPE.
    const w = launch('in-place', ['sh', '-c', 'exec "$0" "$@" 2>&1']);
    await w.waitFor('no other process holds it open');
    w.child.stdout!.destroy();
    w.child.kill('SIGHUP');
    const { code, signal } = await w.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expectCompressed(hash);
  });
});
