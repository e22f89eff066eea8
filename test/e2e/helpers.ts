// Shared e2e fixtures: real size-limited filesystems, filling them, log data, and the built CLI as a child.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The artefact under test: the one-file bundle by default, or whatever CMEMGZIP_BIN names (the SEA binary, say). */
export const CLI = process.env.CMEMGZIP_BIN ?? path.join(ROOT, 'dist/cmemgzip.js');
/** How to start an artefact: a .js file through a node (this one unless named), anything else directly. */
const commandFor = (cli: string, node = process.execPath) => (cli.endsWith('.js') ? [node, cli] : [cli]);
const CORPUS = path.resolve(ROOT, '../shared/corpus');

export const { version: PACKAGE_VERSION } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

/** The single executable for linux-<arch>, where scripts/build-sea.mjs writes it. */
export const seaPath = (arch: string = process.arch) => path.join(ROOT, `dist/cmemgzip-linux-${arch}`);

const mtime = (f: string) => (fs.existsSync(f) ? fs.statSync(f).mtimeMs : -1);

/**
 * Builds the single executable for arch unless one newer than the bundle exists (`npm test` rebuilds
 * the bundle, so CI builds them here); returns why it cannot be built on this machine, if so.
 */
export function ensureSea(arch: string = process.arch): string | undefined {
  if (mtime(seaPath(arch)) >= mtime(path.join(ROOT, 'dist/cmemgzip.js'))) return undefined;
  const r = spawnSync(process.execPath, ['scripts/build-sea.mjs', arch], { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
  // Exit 3: no SEA can be made here (no node-linux-<arch> from the registry, say); anything else non-zero is a broken build and must fail.
  if (r.status === 3) return `SINGLE EXECUTABLE FOR linux-${arch} CANNOT BE BUILT HERE, its tests are SKIPPED: ${r.stderr.trim()}`;
  if (r.status !== 0) throw new Error(`build-sea ${arch} failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return undefined;
}

/**
 * Whether a single executable's SEA blob carries a V8 code cache. The blob opens with Node's magic
 * 0x0143da20 and then its flags, where kUseCodeCache is 1 << 2; postject puts it after the binary's
 * own bytes (where the magic also appears, as a constant in code), so it is the last match.
 */
export function seaHasCodeCache(exe: string): boolean {
  const bytes = fs.readFileSync(exe);
  const at = bytes.lastIndexOf(Buffer.from([0x20, 0xda, 0x43, 0x01]));
  if (at < 0) throw new Error(`${exe} holds no SEA blob`);
  return (bytes.readUInt32LE(at + 4) & (1 << 2)) !== 0;
}

export const isRoot = process.getuid?.() === 0;

/**
 * The tool's default state places, private to this spec file: nothing a test does lands in the
 * machine's /dev/shm or /tmp, and nothing other runs left there is seen. In RAM, as /dev/shm is.
 * Made before the file's first test and removed after its last, not at import nor at exit: vitest ends
 * its workers without 'exit' handlers, which left a folder behind per spec file.
 */
export const STATE_DIR = path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), `cmem-test-state-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
process.env.CMEMGZIP_STATE_DIRS = STATE_DIR;
beforeAll(() => fs.mkdirSync(STATE_DIR, { mode: 0o700 }));
afterAll(() => fs.rmSync(STATE_DIR, { recursive: true, force: true }));

/** Says loudly why a spec is skipped, so that a skip is never mistaken for a pass. */
export function mountSkipReason(): string | undefined {
  if (!isRoot) return 'NOT ROOT: cannot mount tmpfs or ext4 images; real-filesystem tests are SKIPPED';
  if (process.platform !== 'linux') return 'NOT LINUX: real-filesystem tests are SKIPPED';
  return undefined;
}

export function warnSkip(reason: string | undefined): boolean {
  if (reason) console.warn(`\n!!!!!!!!!! ${reason} !!!!!!!!!!\n`);
  return reason !== undefined;
}

export interface Mounted {
  dir: string;
  kind: 'tmpfs' | 'ext4';
  unmount(): void;
}

/** A fresh size-limited filesystem: tmpfs, or ext4 on a loop device backed by an image file. */
export function mountFs(kind: 'tmpfs' | 'ext4', sizeMiB: number, extra: { inodes?: number } = {}): Mounted {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `cmem-${kind}-`));
  let image: string | undefined;
  if (kind === 'tmpfs') {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m${extra.inodes ? `,nr_inodes=${extra.inodes}` : ''}`, 'tmpfs', dir]);
  } else {
    image = `${dir}.img`;
    fs.writeFileSync(image, '');
    fs.truncateSync(image, sizeMiB * 2 ** 20);
    const inodeArgs = extra.inodes ? ['-N', String(extra.inodes)] : [];
    execFileSync('mkfs.ext4', ['-q', '-F', '-m', '0', ...inodeArgs, image]);
    execFileSync('mount', ['-o', 'loop', image, dir]);
  }
  return {
    dir,
    kind,
    unmount() {
      spawnSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
      if (image) fs.rmSync(image, { force: true });
    },
  };
}

export interface MemoryCgroup {
  version: 1 | 2;
  dir: string;
  /** A command prefix that moves the child into the cgroup, then runs it. */
  prefix: string[];
  remove(): void;
}

let cgroups = 0;

/**
 * A fresh memory cgroup limited to `limit` bytes, in whichever hierarchy has the memory controller here
 * (v1: memory.limit_in_bytes, v2: memory.max), or why none can be made (to skip loudly with).
 */
export function memoryCgroup(limit: number): MemoryCgroup | string {
  if (!isRoot) return 'NOT ROOT: cannot create a memory cgroup';
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((line) => {
    const f = line.split(' ');
    const sep = f.indexOf('-');
    return { point: f[4], type: f[sep + 1], options: (f[sep + 3] ?? '').split(',') };
  });
  const v1 = mounts.find((m) => m.type === 'cgroup' && m.options.includes('memory'));
  const v2 = mounts.find((m) => m.type === 'cgroup2' && /\bmemory\b/.test(readOr(`${m.point}/cgroup.controllers`)));
  const base = v1?.point ?? v2?.point;
  if (!base) return 'no cgroup hierarchy with the memory controller (neither v1 nor v2)';
  if (!v1) {
    try {
      fs.writeFileSync(`${base}/cgroup.subtree_control`, '+memory');
    } catch {
      /* already enabled, or not ours to change: the check below says which */
    }
  }
  const dir = path.join(base, `cmemgzip-test-${process.pid}-${cgroups++}`);
  fs.mkdirSync(dir);
  const limitFile = `${dir}/${v1 ? 'memory.limit_in_bytes' : 'memory.max'}`;
  if (!fs.existsSync(limitFile)) {
    fs.rmdirSync(dir);
    return `${limitFile} does not exist: the memory controller could not be enabled for ${dir}`;
  }
  fs.writeFileSync(limitFile, String(limit));
  return {
    version: v1 ? 1 : 2,
    dir,
    prefix: ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir],
    remove: () => fs.rmdirSync(dir),
  };
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function freeBytes(dir: string): number {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
}

/** Fills the filesystem holding dir until fewer than 64 KiB are free; returns the filler's path. */
export function fill(dir: string, name = '.filler'): string {
  const filler = path.join(dir, name);
  const fd = fs.openSync(filler, 'a');
  const chunk = crypto.randomBytes(1024 * 1024);
  try {
    for (const size of [chunk.length, 64 * 1024, 4096, 512]) {
      for (;;) {
        try {
          fs.writeSync(fd, chunk.subarray(0, size));
        } catch {
          break;
        }
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  if (freeBytes(dir) >= 64 * 1024) throw new Error(`could not fill ${dir}: ${freeBytes(dir)} bytes still free`);
  return filler;
}

/** Fills the filesystem, then gives back about `room` bytes (room for a .gz beside the file, say). */
export function fillLeaving(dir: string, room: number): string {
  const filler = fill(dir);
  fs.truncateSync(filler, fs.statSync(filler).size - room);
  return filler;
}

let corpusCache: Buffer | undefined;

/** Real logs from ../shared/corpus when present, else generated log-like lines (never random noise). */
export function logCorpus(): Buffer {
  if (corpusCache) return corpusCache;
  if (fs.existsSync(CORPUS)) {
    const files = fs.readdirSync(CORPUS).filter((f) => f.endsWith('.log')).sort();
    if (files.length > 0) return (corpusCache = Buffer.concat(files.map((f) => fs.readFileSync(path.join(CORPUS, f)))));
  }
  const lines: string[] = [];
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
  const levels = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
  const words = ['connection', 'accepted', 'closed', 'timeout', 'user', 'session', 'request', 'GET', 'POST', '/api/v1/items', 'retry', 'disk', 'cache'];
  for (let i = 0; i < 20000; i++) {
    const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const msg = Array.from({ length: 3 + rand(8) }, () => words[rand(words.length)]).join(' ');
    lines.push(`${t} host${rand(9)} app[${1000 + rand(5000)}]: ${levels[rand(4)]} ${msg} id=${rand(1e6)}`);
  }
  return (corpusCache = Buffer.from(`${lines.join('\n')}\n`));
}

/** `bytes` of log data, the corpus repeated and cut. */
export function logData(bytes: number): Buffer {
  const corpus = logCorpus();
  const out = Buffer.allocUnsafe(bytes);
  for (let pos = 0; pos < bytes; pos += corpus.length) corpus.copy(out, pos, 0, Math.min(corpus.length, bytes - pos));
  return out;
}

export function writeLog(file: string, bytes: number): string {
  const data = logData(bytes);
  fs.writeFileSync(file, data);
  return sha256(data);
}

export const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');
export const sha256File = (file: string) => sha256(fs.readFileSync(file));

/** Decompresses with the system's gzip (not our code) and returns the content's hash. */
export function gunzipHash(gz: string): string {
  return sha256(execFileSync('gzip', ['-dc', gz], { maxBuffer: 2 ** 31 }));
}

/** The smoke test: a log on a full tmpfs becomes a .gz that the system's gzip decompresses to the same bytes. */
export function fullDiskRoundTrip(cli: string, opts: { env?: NodeJS.ProcessEnv; cwd?: string; prefix?: readonly string[]; node?: string } = {}): void {
  const m = mountFs('tmpfs', 24);
  try {
    const log = path.join(m.dir, 'app.log');
    const hash = writeLog(log, 16 * 2 ** 20);
    fill(m.dir);
    const r = run(['--no-stash', '--yes', log], { ...opts, cli });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
  } finally {
    m.unmount();
  }
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const copies: string[] = [];
afterAll(() => copies.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/**
 * A copy of ROOT's `files` (paths relative to it) that any user can read, for a child run as uid 65534:
 * the clone may sit where only root may enter (under /root, or in a mode-0700 mktemp -d folder).
 * Removed after the spec file's last test.
 */
export function readableCopy(files: readonly string[], root = ROOT): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-readable-'));
  copies.push(dir);
  fs.chmodSync(dir, 0o755);
  for (const file of files) {
    const to = path.join(dir, file);
    fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o755 });
    fs.copyFileSync(path.join(root, file), to);
    fs.chmodSync(to, 0o755);
  }
  return dir;
}

const readableClis = new Map<string, string>();

/** The bundle another user can start: a readable copy of it (a binary is left as it is). */
function readableCli(cli: string): string {
  if (!cli.endsWith('.js')) return cli;
  let copy = readableClis.get(cli);
  if (!copy) readableClis.set(cli, (copy = path.join(readableCopy([path.basename(cli)], path.dirname(cli)), path.basename(cli))));
  return copy;
}

/**
 * Runs the CLI to completion with stdin closed (never a terminal), as cron or a script would.
 * prefix wraps it in another command (setpriv to run as another user, a shell that joins a cgroup).
 */
export function run(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number; prefix?: readonly string[]; cli?: string; node?: string } = {},
): RunResult {
  // A prefix may run it as another user, who may not be able to read the clone.
  const cli = opts.prefix ? readableCli(opts.cli ?? CLI) : (opts.cli ?? CLI);
  const [exe, ...exeArgs] = [...(opts.prefix ?? []), ...commandFor(cli, opts.node), ...args];
  const r: SpawnSyncReturns<string> = spawnSync(exe, exeArgs, {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 64 * 2 ** 20,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI with `input` on stdin (closed when absent) and stdout kept as bytes: for -c, - and pipes. */
export function runBinary(args: readonly string[], opts: { cwd?: string; input?: Buffer } = {}): { code: number | null; stdout: Buffer; stderr: string } {
  const [exe, ...exeArgs] = [...commandFor(CLI), ...args];
  const r = spawnSync(exe, exeArgs, {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1' },
    input: opts.input ?? Buffer.alloc(0),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: 60_000,
    maxBuffer: 256 * 2 ** 20,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Runs the CLI with a pseudo-terminal as stdin, stdout and stderr (util-linux script); stdout gets all it printed. */
export function runInTerminal(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): RunResult {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync('script', ['-qec', [...commandFor(CLI), ...args].map(quote).join(' '), '/dev/null'], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export const hasScript = () => spawnSync('script', ['--version']).status === 0;

/** Starts the CLI without waiting, for tests that signal or kill it. */
export function start(args: readonly string[], opts: { env?: NodeJS.ProcessEnv; prefix?: readonly string[] } = {}): ChildProcess {
  const [exe, ...exeArgs] = [...(opts.prefix ?? []), ...commandFor(opts.prefix ? readableCli(CLI) : CLI), ...args];
  return spawn(exe, exeArgs, {
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Parses the --json lines of stdout. */
export const jsonLines = (stdout: string) =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** The one report of a --json run, after checking the exit code. */
export function onlyReport(r: RunResult, exit: number): Record<string, any> {
  expect(r.code, r.stdout + r.stderr).toBe(exit);
  const reports = jsonLines(r.stdout);
  expect(reports).toHaveLength(1);
  return reports[0];
}

/** A hash of every entry's name, kind, size, mode and content below dir: equal before and after means nothing changed. */
export function treeHash(dir: string): string {
  const h = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      h.update(`${p}|${st.mode}|${st.size}|${st.mtimeMs}|${st.ino}\n`);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) h.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

/** The process's state letter (T: stopped), or '' once it is gone. */
export function stateOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return '';
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Watched {
  child: ChildProcess;
  /** Everything the child printed so far, stdout and stderr in order of arrival. */
  output(): string;
  /** Resolves once text has been printed; rejects if the child exits first or timeoutMs passes. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** SIGSTOPs the child and waits until its pipes are drained, so output() is all it did before stopping. */
  freeze(): Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  done(): boolean;
}

/** Follows a started child's output, for tests that act at a given step or moment. */
export function watch(child: ChildProcess): Watched {
  let text = '';
  let lastData = performance.now();
  let finished = false;
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    text += d.toString();
    lastData = performance.now();
    waiters.forEach((w) => w());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => {
      finished = true;
      waiters.forEach((w) => w());
      resolve({ code, signal });
    }),
  );
  return {
    child,
    output: () => text,
    done: () => finished,
    exited,
    waitFor(wanted, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => settle(new Error(`timed out waiting for "${wanted}"; output so far:\n${text}`)), timeoutMs);
        const settle = (err?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) reject(err);
          else resolve();
        };
        const check = () => {
          if (text.includes(wanted)) settle();
          else if (finished) settle(new Error(`exited before printing "${wanted}"; output:\n${text}`));
        };
        waiters.add(check);
        check();
      });
    },
    async freeze() {
      child.kill('SIGSTOP');
      const stoppedAt = performance.now();
      // A stopped process writes nothing more: once nothing has arrived for a while, the pipes are empty.
      while (performance.now() - Math.max(lastData, stoppedAt) < 40 && !finished) await sleep(10);
      return text;
    },
  };
}

/**
 * Starts `node -e script args...` and resolves with its first line of stdout (its "ready" signal);
 * rejects, killing it, if that line does not come within timeoutMs. Kill it with killChild.
 */
export function startNode(script: string, args: readonly string[], timeoutMs = 10_000): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child did not report ready within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      resolve({ child, line: out.slice(0, nl) });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before reporting ready`));
    });
  });
}

/** SIGKILLs a child (if still running) and waits until it is gone. */
export async function killChild(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await gone;
}

/** The name the tool gives a file's records: its inode number and birth time, which a remount keeps. */
export function recordKeyOf(file: string): string {
  const st = fs.lstatSync(file, { bigint: true });
  return `${st.ino}-${st.birthtimeNs}`;
}

/** Block mode's journal folder beside a file, named by the file's identity. */
export const journalBesideOf = (file: string) => path.join(path.dirname(file), `.${recordKeyOf(file)}.cmemgzip-blocks`);

/** A safety copy's manifest as the tool writes one for file, with the given facts over it: what a killed run leaves. */
export function stashManifestFor(file: string, over: Record<string, unknown>): Record<string, unknown> {
  const st = fs.lstatSync(file, { bigint: true });
  return {
    version: 3, dev: Number(st.dev), ino: Number(st.ino), birth: String(st.birthtimeNs), fsType: fs.statfsSync(path.dirname(file)).type, name: file,
    uid: Number(st.uid), gid: Number(st.gid), mode: Number(st.mode), atimeMs: Number(st.atimeNs / 1000n) / 1000, mtimeMs: Number(st.mtimeNs / 1000n) / 1000,
    phase: 'rewriting', pid: 1, createdAt: '', ...over,
  };
}


/**
 * Runs the CLI through its step seam; the moment it reaches `step`, `act` runs on its stopped state
 * (kill it, rename its file...), then the run goes on to its end. Fails if it never reaches the step.
 */
export async function atStep(
  args: readonly string[],
  step: string,
  act: (child: ChildProcess) => void | Promise<void>,
  nth = 1,
): Promise<{ code: number | null; output: string }> {
  const child = watch(start(args, { env: { CMEMGZIP_STOP_AT_STEPS: '1' } }));
  const stops = () => [...child.output().matchAll(/^stopped at: (.*)$/gm)].map((x) => x[1]);
  let acted = false;
  for (let seen = 0; ; seen++) {
    while (!child.done() && stops().length <= seen) await Promise.race([sleep(2), child.exited]);
    if (child.done()) break;
    while (stateOf(child.child.pid!) !== 'T' && !child.done()) await sleep(1);
    // A step name can stand twice in a list (verify the temporary, then the .gz): nth says which.
    if (!acted && stops()[seen] === step && stops().slice(0, seen + 1).filter((s) => s === step).length === nth) {
      acted = true;
      // A failing act must not leave the run stopped behind the test.
      await Promise.resolve(act(child.child)).catch(async (err: unknown) => {
        child.child.kill('SIGKILL');
        await child.exited;
        throw err;
      });
    }
    child.child.kill('SIGCONT');
  }
  if (!acted) throw new Error(`the run ended before it reached "${step}":\n${child.output()}`);
  return { code: (await child.exited).code, output: child.output() };
}

/** Runs the CLI through its step seam and SIGKILLs it the moment it reaches `step` (its nth time); fails if it never does. */
export async function killAt(args: readonly string[], step: string, nth = 1): Promise<void> {
  await atStep(args, step, (child) => void child.kill('SIGKILL'), nth);
}
