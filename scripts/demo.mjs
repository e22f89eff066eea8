// Runs the built CLI on a real example: a log made from ../shared/corpus (or generated lines), then gzip -t on the result.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const corpus = new URL('../../shared/corpus/', import.meta.url);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmemgzip-demo-'));
const log = path.join(dir, 'app.log');
const logs = fs.existsSync(corpus) ? fs.readdirSync(corpus).filter((f) => f.endsWith('.log')) : [];
const sample = logs.length
  ? Buffer.concat(logs.map((f) => fs.readFileSync(new URL(f, corpus))))
  : Buffer.from(Array.from({ length: 50_000 }, (_, i) => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z web[${1000 + (i % 97)}]: GET /item/${i % 500} 200 ${i % 7919}\n`).join(''));
fs.writeFileSync(log, Buffer.concat(Array(8).fill(sample)));

const cli = new URL('../bin/cmemgzip.js', import.meta.url).pathname;
execFileSync(process.execPath, [cli, log], { stdio: 'inherit' });
execFileSync('gzip', ['-tv', `${log}.gz`], { stdio: 'inherit' });
console.log(`\ndemo output left in ${dir}`);
