// strace as the sweep's hands: which paths a clean run's file calls touch, how many calls of each kind it
// makes on them, and the command that injects one fault at the Nth of one kind.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The call classes of issue 11, each as the syscalls Node really makes (writevSync at an offset is pwritev). */
export const CALL_CLASSES = {
  write: ['write', 'pwrite64', 'writev', 'pwritev', 'pwritev2'],
  fsync: ['fsync', 'fdatasync'],
  ftruncate: ['ftruncate'],
  rename: ['rename', 'renameat', 'renameat2'],
  unlink: ['unlink', 'unlinkat', 'rmdir'],
  close: ['close'],
};
export const FAULTS = { EIO: 'error=EIO', ENOSPC: 'error=ENOSPC', SIGKILL: 'signal=SIGKILL' };

const ALL_CALLS = Object.values(CALL_CLASSES).flat();
/** Calls whose quoted arguments are paths (a write's quoted argument is data, which may well hold a path). */
const PATH_CALLS = new Set(['open', 'openat', 'creat', 'mkdir', 'mkdirat', 'rename', 'renameat', 'renameat2', 'unlink', 'unlinkat', 'rmdir', 'truncate']);

/** Runs a command to its end; never rejects. */
export function runCommand(argv, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const started = performance.now();
    execFile(argv[0], argv.slice(1), { env: { ...process.env, NO_COLOR: '1' }, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) =>
      resolve({
        code: err ? (typeof err.code === 'number' ? err.code : null) : 0,
        timedOut: Boolean(err?.killed),
        output: `${stdout}${stderr}`,
        ms: Math.round(performance.now() - started),
      }),
    );
  });
}

/** One trace line's call name and the paths it names (fds shown as N</path> by -y, path arguments in quotes). */
function parseLine(line) {
  const m = /^\d+\s+([a-z0-9_]+)\((.*)$/.exec(line);
  if (!m) return undefined;
  const [, call, rest] = m;
  const paths = [...rest.matchAll(/\d+<(\/[^>]*)>/g)].map((x) => x[1]);
  if (PATH_CALLS.has(call)) paths.push(...[...rest.matchAll(/"(\/[^"]*)"/g)].map((x) => x[1]));
  return { call, tid: line.split(/\s/, 1)[0], paths };
}

/**
 * A clean run traced wide: every path below `within` (the workbench, the default state places), or in a
 * folder the tool holds open by descriptor, that a file call touched. These become the -P filter, so that a fault lands on the run's files and never on
 * Node's own pipes, eventfds or terminal. Temporaries are named after the file, so the set is the same
 * from one run to the next.
 */
export async function discoverPaths(command, within, log) {
  const r = await runCommand(['strace', '-f', '-qq', '-y', '-o', log, '-e', `trace=${[...ALL_CALLS, ...PATH_CALLS].join(',')}`, '--', ...command]);
  const found = new Set();
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    // A name in a folder the tool holds open is given as /proc/self/fd/N/NAME: the same N from run to run.
    for (const p of parseLine(line)?.paths ?? []) if (p.startsWith('/proc/self/fd/') || within.some((w) => p === w || p.startsWith(`${w}/`))) found.add(p);
  }
  fs.rmSync(log, { force: true });
  return { run: r, paths: [...found].sort() };
}

const pathArgs = (paths) => paths.flatMap((p) => ['-P', p]);

/**
 * A clean run under the -P filter: how many calls of each syscall it makes on those paths, and by how
 * many threads (injection counts per syscall and per thread, so a call made on two threads would be
 * hit twice by one when=N).
 */
export async function countCalls(command, paths, log) {
  const r = await runCommand(['strace', '-f', '-qq', '-o', log, ...pathArgs(paths), '-e', `trace=${ALL_CALLS.join(',')}`, '--', ...command]);
  const counts = {};
  const threads = {};
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const parsed = parseLine(line);
    if (!parsed) continue;
    counts[parsed.call] = (counts[parsed.call] ?? 0) + 1;
    (threads[parsed.call] ??= new Set()).add(parsed.tid);
  }
  fs.rmSync(log, { force: true });
  return { run: r, counts, threads: Object.fromEntries(Object.entries(threads).map(([c, s]) => [c, s.size])) };
}

/** The command that runs `command` with one fault (a key of FAULTS) at the Nth `call` on the paths. */
export function injectCommand(command, paths, call, fault, n) {
  return ['strace', '-f', '-qq', '-o', '/dev/null', ...pathArgs(paths), '-e', `trace=${call}`, '-e', `inject=${call}:${FAULTS[fault]}:when=${n}`, '--', ...command];
}

/** Up to `spread` call indexes from 1 to count, spread evenly and always including the first and the last. */
export function spreadIndexes(count, spread) {
  if (count <= spread) return Array.from({ length: count }, (_, i) => i + 1);
  if (spread <= 1) return [Math.ceil(count / 2)];
  return [...new Set(Array.from({ length: spread }, (_, i) => 1 + Math.round((i * (count - 1)) / (spread - 1))))];
}

/** A shell-quoted command line, to print a reproduction. */
export const shellLine = (argv) => argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

export const tmpLog = (dir, name) => path.join(dir, `${name}.strace`);
