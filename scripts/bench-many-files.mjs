// The many-files table of `npm run bench`: cmemgzip -r over thousands of small logs beside gzip -r and
// pigz -r, with and without extra idle processes on the machine (each process is one more /proc/PID/fd
// that a holder check reads), on the node running the bench and on the release the single executables
// carry. Every .gz cmemgzip writes is read back and compared with its original.
// Env: BENCH_FILES (20000; 0 skips the table), BENCH_PROCS (300), BENCH_MANY_RUNS (1).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { nodeBinary, SEA_NODE_VERSION } from './node-binary.mjs';

const KiB = 1024;
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** n files of 1 to 64 KiB, cut from the log data at seeded places, in one folder. */
function makeTree(dir, data, n) {
  fs.mkdirSync(dir, { recursive: true });
  let seed = 7;
  const rand = (k) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % k;
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const len = Math.min(data.length, KiB + rand(63 * KiB));
    const at = rand(Math.max(1, data.length - len));
    fs.writeFileSync(path.join(dir, `app-${String(i).padStart(6, '0')}.log`), data.subarray(at, at + len));
    bytes += len;
  }
  return bytes;
}

/** Runs cmd to its end; wall ms, and user+sys CPU seconds and peak RSS when /usr/bin/time is there. */
function timed(cmd, args) {
  const out = path.join(os.tmpdir(), `cmem-bench-many-${process.pid}`);
  const [exe, argv] = TIME ? [TIME, ['-f', '%U %S %M', '-o', out, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(exe, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - start;
      let cpu, rssKiB;
      if (TIME) {
        const [u, s, m] = fs.readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
        [cpu, rssKiB] = [u + s, m];
        fs.rmSync(out, { force: true });
      }
      resolve({ wallMs, cpu, rssKiB, code, stderr });
    });
  });
}

/** Each FILE.gz in dir inflates to master's FILE, and no FILE is left: the count verified, or why not. */
function verify(dir, master) {
  const names = fs.readdirSync(master);
  for (const name of names) {
    if (fs.existsSync(path.join(dir, name))) return `${name} is still there`;
    const gz = path.join(dir, `${name}.gz`);
    if (!zlib.gunzipSync(fs.readFileSync(gz)).equals(fs.readFileSync(path.join(master, name)))) return `${name}.gz differs from ${name}`;
  }
  return names.length;
}

/** Starts n idle processes (sleep, its three standard fds open), and the function that ends them. */
function idleProcesses(n) {
  const children = Array.from({ length: n }, () => spawn('sleep', ['3600'], { stdio: 'ignore' }));
  return () => children.forEach((c) => c.kill('SIGKILL'));
}

/** The row of the runtime the single executables carry, when it is not the one running this (fetched once into dist/node/). */
function shippedNode(cli, tree) {
  if (process.versions.node === SEA_NODE_VERSION) return [];
  try {
    const node = nodeBinary(process.arch === 'arm64' ? 'arm64' : 'x64');
    return [{ tool: `cmemgzip -q -r (node ${SEA_NODE_VERSION}, as shipped)`, cmd: node, args: [cli, '-q', '-r', tree], ours: true }];
  } catch (err) {
    console.log(`(no row for node ${SEA_NODE_VERSION}, the single executables' runtime: ${err.message.split('\n')[0]})`);
    return [];
  }
}

export async function manyFiles({ data, source, workDir, cli, cores }) {
  const n = Number(process.env.BENCH_FILES ?? 20000);
  const procs = Number(process.env.BENCH_PROCS ?? 300);
  const runs = Number(process.env.BENCH_MANY_RUNS ?? 1);
  if (n === 0) return;
  const master = path.join(workDir, 'many-master');
  const tree = path.join(workDir, 'many');
  const bytes = makeTree(master, data, n);
  const baseline = fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p)).length;
  console.log(`\nmany files: ${n.toLocaleString('en-US')} logs of 1 to 64 KiB (${(bytes / 2 ** 20).toFixed(0)} MiB) of ${source}, one folder; ${baseline} processes on the machine, then ${procs} more idle ones`);
  const tools = [
    { tool: `cmemgzip -q -r (node ${process.versions.node})`, cmd: process.execPath, args: [cli, '-q', '-r', tree], ours: true },
    ...shippedNode(cli, tree),
    { tool: 'gzip -r', cmd: 'gzip', args: ['-r', tree] },
    { tool: `pigz -p ${cores} -r`, cmd: 'pigz', args: ['-p', String(cores), '-r', tree] },
  ];
  // Runs alternate between the settings (all tools without, then with the extra processes), so that a
  // change in the machine's load over the minutes of a bench weighs on both alike.
  const rows = [0, procs].flatMap((extra) => tools.map((t) => ({ ...t, extra, walls: [], cpus: [], rss: 0, verified: '-' })));
  for (let run = 0; run < runs; run++) {
    for (const extra of [0, procs]) {
      const stop = extra > 0 ? idleProcesses(extra) : () => {};
      try {
        for (const row of rows.filter((r) => r.extra === extra && !r.failed)) {
          fs.rmSync(tree, { recursive: true, force: true });
          spawnSync('cp', ['-a', master, tree]);
          process.stderr.write(`many files: ${row.tool}, ${extra} extra processes, run ${run + 1}/${runs}...\n`);
          const r = await timed(row.cmd, row.args);
          if (r.code !== 0) {
            Object.assign(row, { failed: true, verified: `exit ${r.code}: ${r.stderr.trim().split('\n')[0]}` });
            continue;
          }
          row.walls.push(r.wallMs);
          if (r.cpu !== undefined) row.cpus.push(r.cpu);
          row.rss = Math.max(row.rss, r.rssKiB ?? 0);
          if (row.ours) row.verified = verify(tree, master);
        }
      } finally {
        stop();
      }
    }
  }
  for (const r of rows) Object.assign(r, { wall: Math.min(...r.walls), cpu: r.cpus.length ? Math.min(...r.cpus) : undefined });
  fs.rmSync(tree, { recursive: true, force: true });
  fs.rmSync(master, { recursive: true, force: true });
  const gzipAt = (extra) => rows.find((r) => r.tool === 'gzip -r' && r.extra === extra);
  const head = ['tool', 'extra processes', 'wall', 'per file', 'x gzip -r', 'CPU user+sys', 'peak RSS', 'read back and verified'];
  const body = rows.map((r) => [
    r.tool,
    String(r.extra),
    `${(r.wall / 1000).toFixed(2)} s`,
    `${(r.wall / n).toFixed(3)} ms`,
    (r.wall / gzipAt(r.extra).wall).toFixed(2),
    r.cpu === undefined ? '-' : `${r.cpu.toFixed(2)} s`,
    r.rss ? `${(r.rss / 1024).toFixed(0)} MiB` : '-',
    r.ours ? (typeof r.verified === 'number' ? `${r.verified} of ${n}` : `NO: ${r.verified}`) : '-',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(`${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${body.map(line).join('\n')}`);
  console.log('targets (wall is the best of BENCH_MANY_RUNS; other processes on the machine add noise):');
  for (const tool of tools.filter((t) => t.ours).map((t) => t.tool)) {
    const ours = (extra) => rows.find((r) => r.tool === tool && r.extra === extra);
    const check = (name, measured, limit) => console.log(`${measured <= limit ? 'PASS' : 'FAIL'}  ${tool}: ${name}: ${measured.toFixed(3)} <= ${limit.toFixed(3)}`);
    if (!ours(0) || !ours(procs)) continue;
    check(`wall <= 1.5 x gzip -r, ${n} files (s)`, ours(0).wall / 1000, (1.5 * gzipAt(0).wall) / 1000);
    check(`per file with ${procs} extra processes <= 1.1 x without (ms)`, ours(procs).wall / n, (1.1 * ours(0).wall) / n);
    // CPU time is what the holder checks cost; wall time also carries the machine's other load.
    if (ours(0).cpu !== undefined) check(`CPU per file with ${procs} extra processes <= 1.1 x without (ms)`, (1000 * ours(procs).cpu) / n, (1100 * ours(0).cpu) / n);
  }
}
