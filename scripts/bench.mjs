// Benchmark (npm run bench): cmemgzip against pigz and gzip on a log file built from ../shared/corpus, in one run.
// Env: BENCH_RUNS (5), BENCH_MIB (256; 0 skips the one-file table), BENCH_BLOCK_MIB (1024; 0 skips the block-mode rows),
// BENCH_DIR (a folder to use), BENCH_CLI (another build to measure); the many-files table's in bench-many-files.mjs.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { manyFiles } from './bench-many-files.mjs';

const MiB = 2 ** 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const FILE_MIB = Number(process.env.BENCH_MIB ?? 256);
const BLOCK_FILE_MIB = Number(process.env.BENCH_BLOCK_MIB ?? 1024);
const BLOCK = '16M';
const BLOCK_RSS_LIMIT = 250 * MiB;
const root = path.resolve(import.meta.dirname, '..');
const CLI = path.resolve(process.env.BENCH_CLI ?? path.join(root, 'dist/cmemgzip.js'));
const CORES = os.availableParallelism();
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Real logs when the corpus is there; otherwise log-like lines (never random bytes, which do not compress). */
function corpus() {
  const dir = path.resolve(root, '../shared/corpus');
  const logs = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.log')).sort() : [];
  if (logs.length > 0) return { source: dir, data: Buffer.concat(logs.map((f) => fs.readFileSync(path.join(dir, f)))) };
  let seed = 42;
  const rand = (n) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
  const words = ['connection', 'accepted', 'closed', 'timeout', 'user', 'session', 'request', 'GET', 'POST', '/api/v1/items', 'retry', 'disk'];
  const lines = Array.from({ length: 20000 }, (_, i) => {
    const msg = Array.from({ length: 3 + rand(8) }, () => words[rand(words.length)]).join(' ');
    return `${new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()} host${rand(9)} app[${1000 + rand(5000)}]: ${['INFO', 'WARN', 'ERROR'][rand(3)]} ${msg} id=${rand(1e6)}`;
  });
  return { source: 'generated log lines (../shared/corpus is missing)', data: Buffer.from(`${lines.join('\n')}\n`) };
}

function writeRepeated(file, data, bytes) {
  const fd = fs.openSync(file, 'w');
  try {
    for (let pos = 0; pos < bytes; pos += data.length) fs.writeSync(fd, data, 0, Math.min(data.length, bytes - pos));
  } finally {
    fs.closeSync(fd);
  }
}

/** A tmpfs of our own when root (no disk noise, no fsync cost), else a folder in the temp dir. */
function workdir(needBytes) {
  if (process.env.BENCH_DIR) return { dir: fs.mkdtempSync(path.join(process.env.BENCH_DIR, 'cmem-bench-')), where: process.env.BENCH_DIR, cleanup() {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-bench-'));
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });
  if (process.getuid?.() === 0 && spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.ceil(needBytes / MiB)}m`, 'tmpfs', dir]).status === 0)
    return { dir, where: `a private tmpfs at ${dir}`, cleanup: () => (spawnSync('umount', ['-l', dir]), remove()) };
  return { dir, where: `${dir} (not a tmpfs: run as root for one)`, cleanup: remove };
}

/** Peak RSS without /usr/bin/time: VmHWM is a high-water mark, so the last reading before exit is close. */
function pollHwm(pid, into) {
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) into.kib = Math.max(into.kib, Number(m[1]));
    } catch {
      /* the process is gone */
    }
  }, 10);
  return () => clearInterval(timer);
}

let current;
/** Runs one command; resolves with wall ms, peak RSS bytes, exit code and stdout. */
function measure(cmd, args) {
  const timeFile = path.join(os.tmpdir(), `cmem-bench-time-${process.pid}`);
  const [exe, argv] = TIME ? [TIME, ['-f', '%M', '-o', timeFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = (current = spawn(exe, argv, { stdio: ['ignore', 'pipe', 'pipe'] }));
    const hwm = { kib: 0 };
    const stopPolling = TIME ? () => {} : pollHwm(child.pid, hwm);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      stopPolling();
      current = undefined;
      const kib = TIME ? Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : hwm.kib;
      if (TIME) fs.rmSync(timeFile, { force: true });
      resolve({ wallMs, rss: kib * 1024, code, stdout, stderr });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mib = (n) => `${(n / MiB).toFixed(1)} MiB`;

/** A case: one command over one file; `prepare` makes its input (untimed), output is FILE.gz. */
function cases(file, blockFile, blockMaster) {
  const cm = (level, ...extra) => ({ cmd: process.execPath, args: [CLI, `-${level}`, '--json', ...extra] });
  const pigz = (level, f) => ({ tool: 'pigz', level, file: f, cmd: 'pigz', args: [`-${level}`, '-p', String(CORES), '-k', f] });
  const list = [];
  for (const level of [6, 9]) {
    list.push({ tool: 'cmemgzip', level, file, ...cm(level, '-k', file) });
    list.push(pigz(level, file));
    list.push({ tool: 'gzip', level, file, cmd: 'gzip', args: [`-${level}`, '-k', file] });
  }
  if (blockFile) {
    // Block mode consumes its input (tail first, truncating), so each run gets a fresh copy.
    list.push({ tool: `cmemgzip -m ${BLOCK}`, level: 6, file: blockFile, block: true, prepare: () => fs.copyFileSync(blockMaster, blockFile), ...cm(6, '-m', BLOCK, blockFile) });
    list.push({ ...pigz(6, blockMaster), group: 'block' });
  }
  return list.map((c) => ({ group: c.block ? 'block' : 'main', ...c, walls: [], rsses: [], bytes: 0, timings: [], failure: undefined }));
}

function parseReport(stdout) {
  try {
    return JSON.parse(stdout.trim().split('\n').pop());
  } catch {
    return undefined;
  }
}

async function runCase(c) {
  c.prepare?.();
  fs.rmSync(`${c.file}.gz`, { force: true });
  const r = await measure(c.cmd, c.args);
  const report = c.cmd === process.execPath ? parseReport(r.stdout) : undefined;
  if (r.code !== 0) c.failure = `exit ${r.code}: ${(report?.error?.message ?? r.stderr.trim()).slice(0, 200)}`;
  else if (c.block && report?.strategy !== 'blocks') c.failure = `ran as strategy ${report?.strategy}, not blocks`;
  // The block-mode row is a hook for a feature that may not be there yet: say so rather than fail.
  if (c.failure && c.block) c.failure = `not available (${c.failure})`;
  if (c.failure) return;
  c.walls.push(r.wallMs);
  c.rsses.push(r.rss);
  c.bytes = fs.statSync(`${c.file}.gz`).size;
  if (report) c.timings.push(report.timings);
  fs.rmSync(`${c.file}.gz`, { force: true });
  if (c.block) fs.rmSync(c.file, { force: true });
}

function machine() {
  const first = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.error ? 'missing' : `${r.stdout}${r.stderr}`.split('\n')[0];
  };
  console.log(`machine: ${CORES} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${mib(os.totalmem())} RAM, ${os.type()} ${os.release()}`);
  console.log(`node ${process.version}; ${first('gzip', ['--version'])}; ${first('pigz', ['--version'])}`);
  console.log(`peak RSS from ${TIME ? `${TIME} -f %M` : '/proc/PID/status VmHWM polled every 10 ms'}; wall is the median of ${RUNS} runs, interleaved`);
}

function table(list) {
  const find = (tool, c) => list.find((x) => x.tool === tool && x.level === c.level && x.group === c.group);
  const inputMiB = (c) => mib(c.group === 'block' ? BLOCK_FILE_MIB * MiB : FILE_MIB * MiB);
  const rows = list.map((c) => {
    if (c.failure) return [c.tool, `-${c.level}`, c.failure];
    const wall = median(c.walls);
    const pigz = find('pigz', c);
    const gzip = find('gzip', c);
    const ratio = (a, b) => (b ? (a / b).toFixed(2) : '-');
    return [
      c.tool === 'pigz' ? `pigz -p ${CORES}` : c.tool,
      `-${c.level}`,
      `${(wall / 1000).toFixed(2)} s`,
      ratio(wall, pigz?.walls.length && median(pigz.walls)),
      c.bytes.toLocaleString('en-US'),
      ratio(c.bytes, gzip?.bytes),
      mib(Math.max(...c.rsses)),
      inputMiB(c),
    ];
  });
  const head = ['tool', 'level', 'wall', 'x pigz', 'output bytes', 'x gzip', 'peak RSS', 'file'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r.length === 3 && i === 2 ? 0 : String(r[i] ?? '').length))));
  const line = (r) => (r.length === 3 ? `${r[0].padEnd(widths[0])}  ${r[1].padEnd(widths[1])}  ${r[2]}` : r.map((x, i) => String(x).padEnd(widths[i])).join('  '));
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  rows.forEach((r) => console.log(line(r)));
}

function targets(list, fileBytes) {
  const get = (tool, level) => list.find((c) => c.tool === tool && c.level === level && c.group === 'main');
  const cm6 = get('cmemgzip', 6);
  const cm9 = get('cmemgzip', 9);
  const pigz6 = get('pigz', 6);
  const gzip6 = get('gzip', 6);
  const gzip9 = get('gzip', 9);
  const block = list.find((c) => c.block);
  const ok = (...cs) => cs.every((c) => c && !c.failure && c.walls.length > 0);
  const check = (name, cs, measured, limit) =>
    console.log(`${!ok(...cs) ? 'N/A ' : measured <= limit ? 'PASS' : 'FAIL'}  ${name}${ok(...cs) ? `: ${measured.toFixed(3)} <= ${limit.toFixed(3)}` : ''}`);
  console.log('\ntargets:');
  check('cmemgzip -6 wall <= 1.0 x pigz -6 (s)', [cm6, pigz6], median(cm6.walls) / 1000, median(pigz6.walls) / 1000);
  check('cmemgzip -6 wall <= 0.5 x gzip -6 (s)', [cm6, gzip6], median(cm6.walls) / 1000, (0.5 * median(gzip6.walls)) / 1000);
  check('cmemgzip -6 size <= 1.005 x gzip -6 (MiB)', [cm6, gzip6], cm6.bytes / MiB, (1.005 * gzip6.bytes) / MiB);
  check('cmemgzip -9 size <= gzip -9 (MiB)', [cm9, gzip9], cm9.bytes / MiB, gzip9.bytes / MiB);
  check('cmemgzip -6 peak RSS <= file + compressed + 100 MiB (MiB)', [cm6], Math.max(...cm6.rsses) / MiB, (fileBytes + cm6.bytes) / MiB + 100);
  if (block) check(`cmemgzip -m ${BLOCK} peak RSS on ${BLOCK_FILE_MIB} MiB <= 250 MiB (MiB)`, [block], Math.max(...block.rsses) / MiB, BLOCK_RSS_LIMIT / MiB);
}

/** Where cmemgzip's time goes: the median of each step's milliseconds from --json. */
function breakdown(list) {
  console.log('\nwhere cmemgzip spends its time (median ms per step, from --json timings):');
  for (const c of list.filter((x) => x.cmd === process.execPath && x.timings.length > 0)) {
    const keys = Object.keys(c.timings[0]);
    console.log(`  ${c.tool} -${c.level}: ${keys.map((k) => `${k} ${median(c.timings.map((t) => t[k] ?? 0))}`).join(', ')}`);
  }
}

const { source, data } = corpus();
const fileBytes = FILE_MIB * MiB;
const blockBytes = BLOCK_FILE_MIB * MiB;
const manyBytes = Number(process.env.BENCH_FILES ?? 20000) * 33 * 1024 * 2.6;
const work = workdir(Math.max(fileBytes * 1.6 + blockBytes * 2.3, manyBytes) + 64 * MiB);
const cleanup = () => work.cleanup();
process.on('SIGINT', () => {
  current?.kill('SIGKILL');
  cleanup();
  process.exit(130);
});
try {
  machine();
  const file = path.join(work.dir, 'bench.log');
  writeRepeated(file, data, fileBytes);
  const blockMaster = blockBytes > 0 ? path.join(work.dir, 'big-master.log') : undefined;
  if (blockMaster) writeRepeated(blockMaster, data, blockBytes);
  console.log(`input: ${mib(fileBytes)}${blockMaster ? ` (and ${mib(blockBytes)} for block mode)` : ''} of ${source}, in ${work.where}`);
  console.log('note: other processes on this machine add noise to wall times');
  if (fileBytes > 0) {
    const list = cases(file, blockMaster && path.join(work.dir, 'big.log'), blockMaster);
    for (let run = 1; run <= RUNS; run++) {
      process.stderr.write(`run ${run}/${RUNS}...\n`);
      for (const c of list) if (!c.failure) await runCase(c);
    }
    table(list);
    targets(list, fileBytes);
    breakdown(list);
  }
  fs.rmSync(file, { force: true });
  if (blockMaster) fs.rmSync(blockMaster, { force: true });
  await manyFiles({ data, source, workDir: work.dir, cli: CLI, cores: CORES });
  // The exit code stays 0: a benchmark reports, it does not gate (tests do).
} finally {
  cleanup();
}
