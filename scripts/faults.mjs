// Fault-injection sweep (npm run faults, issue 11): every strategy on a real full tmpfs, one EIO, ENOSPC or
// SIGKILL at each chosen file call (strace), each run judged OK / STRANDED / LOST; prints the table.
// Options: --spread N (call indexes per call class, 25), --only beside,stash,... --calls write,fsync,...
// --faults EIO,ENOSPC,SIGKILL, --jobs N (workbenches side by side, 1), --case STRATEGY:CALL:FAULT:N
// (one case, its runs' output in full), --keep (leave the workbench mounted), --all (every non-OK case),
// --json FILE (each calibration and result as a JSON line, written as it comes). Needs root (mount), strace, gzip, and a build (npm run faults builds).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { CALL_CLASSES, FAULTS } from './faults/strace.mjs';
import { CLI, runSweep, SCENARIOS } from './faults/sweep.mjs';
import { formatCases, formatTable, tally } from './faults/table.mjs';

const { values: opt } = parseArgs({
  options: {
    spread: { type: 'string', default: '25' },
    only: { type: 'string' },
    calls: { type: 'string' },
    faults: { type: 'string' },
    jobs: { type: 'string', default: '1' },
    case: { type: 'string' },
    keep: { type: 'boolean', default: false },
    all: { type: 'boolean', default: false },
    json: { type: 'string' },
  },
});

const fail = (message) => {
  console.error(`faults: ${message}`);
  process.exit(1);
};
if (process.getuid?.() !== 0) fail('must run as root: it mounts size-limited tmpfs filesystems');
for (const tool of ['strace', 'gzip']) if (spawnSync(tool, ['--version']).error) fail(`${tool} is not installed (apt-get install -y ${tool})`);
if (!fs.existsSync(CLI)) fail(`${CLI} is missing: npm run build`);

const list = (s) => s?.split(',').filter(Boolean);
const only = { classes: list(opt.calls), faults: list(opt.faults) };
let scenarios = list(opt.only);
if (opt.case) {
  const [name, call, fault, n] = opt.case.split(':');
  const cls = Object.keys(CALL_CLASSES).find((k) => CALL_CLASSES[k].includes(call));
  if (!cls || !FAULTS[fault] || !(Number(n) > 0)) fail(`--case wants STRATEGY:CALL:FAULT:N, as the report prints it; got ${opt.case}`);
  only.case = { cls, call, fault, n: Number(n) };
  scenarios = [name];
}

const started = performance.now();
const { calibrations, results, kept } = await runSweep({
  scenarios: scenarios ?? SCENARIOS.map((s) => s.name),
  spread: Number(opt.spread),
  only,
  jobs: Number(opt.jobs),
  keep: opt.keep,
  onCalibrated: (s, cal, cases) => {
    if (opt.json) fs.appendFileSync(opt.json, `${JSON.stringify({ scenario: s.name, calibration: cal })}\n`);
    const counts = Object.entries(cal.counts).map(([c, n]) => `${c} ${n}${cal.threads[c] > 1 ? ` (on ${cal.threads[c]} threads)` : ''}`);
    console.log(`${s.name}: clean run ${cal.ms} ms under strace, on ${cal.paths.length} paths: ${counts.join(', ')}; ${cases} cases`);
  },
  onCase: (r) => {
    if (opt.json) fs.appendFileSync(opt.json, `${JSON.stringify(r)}\n`);
    if (opt.case) for (const s of r.steps) console.log(`--- ${s.what}: exit ${s.code}${s.timedOut ? ' (timed out)' : ''}\n${s.output}`);
    else if (r.verdict !== 'OK') console.log(`  ${r.verdict}${r.consented ? ' (in window)' : ''} ${r.id} (${r.how})`);
  },
});
const seconds = ((performance.now() - started) / 1000).toFixed(0);

console.log('');
console.log(formatTable(tally(results, SCENARIOS.map((s) => s.name))));
console.log(`\n${results.length} injected runs in ${seconds} s`);
const cases = formatCases(results, opt.all || opt.case ? Infinity : 10);
if (cases) console.log(`\nnot OK:\n${cases}`);
if (opt.case) console.log(`\n-P paths: ${Object.values(calibrations)[0]?.paths.join(' ')}`);
if (kept.length) console.log(`\nleft mounted for inspection: ${kept.join(', ')} (umount its fs and stash, then rm -r it)`);
process.exitCode = results.some((r) => r.verdict !== 'OK' && !r.consented) ? 1 : 0;
