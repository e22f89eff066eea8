// Shows the real job: as root, a small filesystem filled to 0 bytes free, df, --simulate, the run, df again, gzip -t; otherwise the simulated plan on a real file.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const corpus = new URL('../../shared/corpus/', import.meta.url);
const logs = fs.existsSync(corpus) ? fs.readdirSync(corpus).filter((f) => f.endsWith('.log')) : [];
const sample = logs.length
  ? Buffer.concat(logs.map((f) => fs.readFileSync(new URL(f, corpus))))
  : Buffer.from(Array.from({ length: 50_000 }, (_, i) => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z web[${1000 + (i % 97)}]: GET /item/${i % 500} 200 ${i % 7919}\n`).join(''));
const content = Buffer.concat(Array(8).fill(sample));

const cli = new URL('../bin/cmemgzip.js', import.meta.url).pathname;
const show = (cmd, args) => {
  console.log(`\n$ ${[cmd, ...args].join(' ')}`);
  execFileSync(cmd, args, { stdio: 'inherit' });
};
const cmemgzip = (...args) => show(process.execPath, [cli, ...args]);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmemgzip-demo-'));
const log = path.join(dir, 'app.log');

if (process.getuid?.() !== 0 || process.platform !== 'linux') {
  console.log('Not root: a small filesystem cannot be mounted and filled here (mount needs root), so this shows');
  console.log('the plan cmemgzip makes for a real file, compressing it in memory and changing nothing.');
  console.log('Run `sudo npm run demo` to see it free a full disk.');
  try {
    fs.writeFileSync(log, content);
    cmemgzip('--simulate', log);
    console.log(`\n${log} was left untouched; the demo folder is now removed.`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

// A tmpfs a little larger than the log: once filled, there is no room for app.log.gz beside it.
const sizeMiB = Math.ceil(content.length / 2 ** 20) + 8;
execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'cmemgzip-demo', dir]);
try {
  fs.writeFileSync(log, content);
  // cat stops at ENOSPC: the filesystem then has 0 bytes free.
  spawnSync('sh', ['-c', `cat /dev/zero > ${dir}/filler`], { stdio: 'ignore' });
  console.log(`A ${sizeMiB} MiB tmpfs at ${dir}, holding a ${(content.length / 2 ** 20).toFixed(1)} MiB log and a filler that took every byte left.`);
  console.log('gzip would fail here: it needs room for app.log.gz before it removes app.log.');
  show('df', ['-B1', dir]);
  cmemgzip('--simulate', log);
  cmemgzip(log);
  show('df', ['-B1', dir]);
  show('gzip', ['-tv', `${log}.gz`]);
  show('ls', ['-l', dir]);
} finally {
  spawnSync('umount', [dir]);
  fs.rmSync(dir, { recursive: true, force: true });
}
