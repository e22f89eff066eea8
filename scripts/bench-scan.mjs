// Benchmark for --scan: builds a tree of 100,000 files in a temporary folder, times the built CLI's scan of it, removes the tree.
// Usage: node scripts/bench-scan.mjs [FILES]   (build first: node scripts/bundle.mjs)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const files = Number(process.argv[2] ?? 100_000);
const perDir = 1000;
const cli = new URL('../dist/cmemgzip.js', import.meta.url).pathname;
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-bench-scan-'));
const line = Buffer.from('2026-01-01T00:00:00Z host app[1]: INFO request served in 12 ms\n');

try {
  let t = performance.now();
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${Math.floor(i / perDir)}`, `e${Math.floor(i / 100) % 10}`);
    if (i % 100 === 0) fs.mkdirSync(dir, { recursive: true });
    // Mostly small files, a few large ones, so that the largest-files list has work to do.
    fs.writeFileSync(path.join(dir, `f${i}.log`), i % 10_000 === 0 ? Buffer.concat(Array(20_000).fill(line)) : line.subarray(0, i % line.length));
  }
  console.log(`built ${files.toLocaleString('en-US')} files in ${((performance.now() - t) / 1000).toFixed(1)} s under ${root}`);
  for (const run of [1, 2]) {
    t = performance.now();
    const out = execFileSync(process.execPath, [cli, '--scan', '--json', root], { encoding: 'utf8', maxBuffer: 2 ** 26 });
    const found = JSON.parse(out.split('\n')[0]);
    console.log(`--scan run ${run}: ${((performance.now() - t) / 1000).toFixed(2)} s for ${found.files.toLocaleString('en-US')} files (${run === 1 ? 'cold-ish' : 'warm'} cache)`);
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
