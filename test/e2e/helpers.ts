// Shared e2e fixtures: real size-limited filesystems, filling them, log data, and the built CLI as a child.
import { execFileSync, spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
/** The artefact under test: the one-file bundle by default, or whatever CMEMGZIP_BIN names (the SEA binary, say). */
export const CLI = process.env.CMEMGZIP_BIN ?? path.join(ROOT, 'dist/cmemgzip.js');
const CLI_ARGS = CLI.endsWith('.js') ? [CLI] : [];
const CLI_EXE = CLI.endsWith('.js') ? process.execPath : CLI;
const CORPUS = path.resolve(ROOT, '../shared/corpus');

export const isRoot = process.getuid?.() === 0;

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
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir]);
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

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI to completion with stdin closed (never a terminal), as cron or a script would. */
export function run(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): RunResult {
  const r: SpawnSyncReturns<string> = spawnSync(CLI_EXE, [...CLI_ARGS, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: opts.timeout ?? 60_000,
    maxBuffer: 64 * 2 ** 20,
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Starts the CLI without waiting, for tests that signal or kill it. */
export function start(args: readonly string[], opts: { env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(CLI_EXE, [...CLI_ARGS, ...args], {
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
