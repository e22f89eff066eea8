// The sweep: for each strategy a clean run is traced and counted, then one fault (EIO, ENOSPC or SIGKILL)
// goes at each chosen call index, and each run is judged OK, STRANDED or LOST by the operator's rule.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { emptyFolder, fillLeaving, logContent, openBench } from './bench.mjs';
import { assess, ourStateFiles } from './judge.mjs';
import { planMatches, SCENARIOS } from './scenarios.mjs';
import { snapshot, stateRoots } from './state.mjs';
import { CALL_CLASSES, countCalls, discoverPaths, FAULTS, injectCommand, runCommand, shellLine, spreadIndexes } from './strace.mjs';

export const CLI = path.resolve(import.meta.dirname, '../../dist/cmemgzip.js');
export { SCENARIOS };

/** The CLI on the scenario's operand, with extra options (a rerun's --resume, --simulate). */
function cli(bench, scenario, extra = []) {
  const operand = scenario.input === 'gz' ? `${bench.file}.gz` : bench.file;
  return [process.execPath, CLI, ...scenario.args(bench), ...extra, operand];
}

/** A workbench that also knows the default state places as they were before the sweep touched them. */
export function openSweepBench() {
  const bench = openBench();
  bench.roots = stateRoots();
  bench.rootsBefore = snapshot(bench.roots, bench.base);
  bench.stateFolders = new Set();
  return bench;
}

/**
 * Removes what the last run left: the workbench's contents, and in the shared places only our files in a
 * folder of the tool's own (one its clean runs used), never a file that merely names our workbench.
 */
async function clearLast(bench) {
  const inStateFolder = (f) => [...bench.stateFolders].some((d) => f.startsWith(`${d}/`));
  if (bench.nonce) for (const f of await ourStateFiles(bench, bench.nonce)) if (inStateFolder(f)) fs.rmSync(f, { force: true });
  emptyFolder(bench.dir);
  emptyFolder(bench.stash);
}

/** Sets the stage for the scenario on a cleared workbench; returns the original bytes. */
async function prepare(bench, scenario) {
  await clearLast(bench);
  bench.nonce = crypto.randomBytes(6).toString('hex');
  const original = logContent(bench.nonce);
  fs.writeFileSync(bench.file, original);
  if (scenario.input === 'gz') {
    fs.writeFileSync(`${bench.file}.gz`, execFileSync('gzip', ['-c', bench.file]));
    fs.rmSync(bench.file);
  }
  if (scenario.room !== undefined) fillLeaving(bench.dir, scenario.room);
  return original;
}

/** Throws unless a clean run did the job: the sweep's baseline must be a success. */
async function expectDone(bench, scenario, original, run, what) {
  const a = await assess(bench, scenario, original, bench.nonce);
  if (!a.done || run.code !== 0) throw new Error(`${scenario.name}: the clean ${what} run did not do the job (exit ${run.code}): ${run.output}\nfiles: ${a.files.join(', ')}`);
}

/** The operand's identity (inode number and birth time): the tool names its stash, journal and notes after it, so each fresh file renames them. */
function operandKey(bench, scenario) {
  const st = fs.statSync(scenario.input === 'gz' ? `${bench.file}.gz` : bench.file, { bigint: true });
  return `${st.ino}-${st.birthtimeNs}`;
}

/**
 * The -P paths of a calibration for the file as prepared now: its identity put in place of the clean
 * run's, where it stands in a name below one of the watched folders.
 */
function pathsFor(cal, key) {
  const number = new RegExp(`(?<!\\d)${cal.key}(?!\\d)`, 'g');
  return cal.paths
    .map((p) => {
      // A name in a folder the tool holds open is reached through /proc/self/fd/N: the journal's is named by the key too.
      const pinned = /^\/proc\/self\/fd\/\d+/.exec(p)?.[0];
      const root = pinned ?? cal.within.filter((w) => p === w || p.startsWith(`${w}/`)).sort((a, b) => b.length - a.length)[0];
      return root ? root + p.slice(root.length).replace(number, key) : p;
    })
    .sort();
}

const sameList = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Checks with --simulate --json that the plan is the scenario's; traces a clean run for the paths its
 * file calls touch (the -P filter), and a second to check that those paths follow from the file's inode
 * (else faults would miss the calls on the unpredicted names: said loudly, and the sweep stops); then
 * counts each syscall's calls on them in a third.
 */
export async function calibrate(bench, scenario) {
  let original = await prepare(bench, scenario);
  const sim = await runCommand(cli(bench, scenario, ['--simulate', '--json']));
  const report = JSON.parse(sim.output.split('\n').find((l) => l.startsWith('{')) ?? 'null');
  if (!planMatches(report, scenario.plan)) throw new Error(`${scenario.name}: the plan is not the intended ${JSON.stringify(scenario.plan)}: ${sim.output}`);
  const within = [bench.dir, bench.stash, ...bench.roots];
  const discover = async () => {
    const key = operandKey(bench, scenario);
    const found = await discoverPaths(cli(bench, scenario), within, path.join(bench.base, 'discover.strace'));
    await expectDone(bench, scenario, original, found.run, 'traced');
    return { key, paths: found.paths, within };
  };
  const cal = await discover();
  for (const p of cal.paths) if (!p.startsWith(`${bench.base}/`) && !bench.roots.includes(path.dirname(p))) bench.stateFolders.add(path.dirname(p));
  original = await prepare(bench, scenario);
  const again = await discover();
  if (!sameList(pathsFor(cal, again.key), again.paths))
    throw new Error(`${scenario.name}: the paths a run touches do not follow from its file's identity, so the -P filter would miss some; run 1 (${cal.key}): ${cal.paths.join(' ')}; run 2 (${again.key}): ${again.paths.join(' ')}`);
  original = await prepare(bench, scenario);
  const counted = await countCalls(cli(bench, scenario), pathsFor(cal, operandKey(bench, scenario)), path.join(bench.base, 'count.strace'));
  await expectDone(bench, scenario, original, counted.run, 'counted');
  return { ...cal, counts: counted.counts, threads: counted.threads, ms: counted.run.ms };
}

/**
 * The cases for one scenario: each syscall of each class made on the paths, at up to `spread` indexes
 * per class (shared among the class's syscalls by how many calls each makes), under each fault.
 */
export function plannedCases(counts, spread, only = {}) {
  const cases = [];
  for (const [cls, calls] of Object.entries(CALL_CLASSES)) {
    if (only.classes && !only.classes.includes(cls)) continue;
    const made = calls.filter((c) => counts[c] > 0);
    const total = made.reduce((sum, c) => sum + counts[c], 0);
    for (const call of made) {
      const share = Math.max(1, Math.round((spread * counts[call]) / total));
      for (const fault of Object.keys(FAULTS)) {
        if (only.faults && !only.faults.includes(fault)) continue;
        for (const n of spreadIndexes(counts[call], share)) cases.push({ cls, call, fault, n });
      }
    }
  }
  return cases;
}

const tail = (text, lines = 12) => text.trim().split('\n').slice(-lines).join('\n');

/**
 * One fault, then the operator's rule: the job is done at once, or after a plain rerun, or after
 * --resume; a run that leaves a byte of the original nowhere is LOST; else every byte is still there but
 * nothing finishes: STRANDED.
 */
export async function runCase(bench, scenario, calibration, c) {
  const original = await prepare(bench, scenario);
  const command = injectCommand(cli(bench, scenario), pathsFor(calibration, operandKey(bench, scenario)), c.call, c.fault, c.n);
  const injected = await runCommand(command);
  const steps = [{ what: 'injected', code: injected.code, timedOut: injected.timedOut, output: tail(injected.output) }];
  const afterFault = await assess(bench, scenario, original, bench.nonce);
  let a = afterFault;
  let verdict = a.done ? 'OK' : a.missing.length > 0 ? 'LOST' : undefined;
  let how = verdict ? 'at once' : undefined;
  for (const [what, extra] of [['a plain rerun', []], ['--resume', ['--resume']]]) {
    if (verdict) break;
    const r = await runCommand(cli(bench, scenario, extra));
    steps.push({ what, code: r.code, timedOut: r.timedOut, output: tail(r.output) });
    a = await assess(bench, scenario, original, bench.nonce);
    if (a.done) [verdict, how] = ['OK', `after ${what}`];
    else if (a.missing.length > 0) [verdict, how] = ['LOST', `by ${what}`];
  }
  verdict ??= 'STRANDED';
  // A kill inside a window the user accepted with --yes may cost what the window risks, whatever the reruns make of it.
  const consented = verdict !== 'OK' && c.fault === 'SIGKILL' && Boolean(scenario.consented?.(injected.output, afterFault.missing, original.length));
  return {
    scenario: scenario.name,
    ...c,
    verdict,
    how: how ?? 'neither rerun finished',
    consented,
    lostBytes: a.missing.length * 4096,
    left: a.left,
    files: a.files,
    steps,
    id: `${scenario.name}:${c.call}:${c.fault}:${c.n}`,
    command: shellLine(command),
  };
}

/**
 * Runs the scenarios (names, or all) with `jobs` workbenches side by side; only narrows the cases
 * (classes, faults, or one case {cls, call, fault, n}); keep leaves the workbenches mounted as the last
 * run left them; onCalibrated and onCase report progress. Returns the calibrations, every case's result
 * and the kept workbenches.
 */
export async function runSweep({ scenarios = SCENARIOS.map((s) => s.name), spread = 25, only = {}, jobs = 1, keep = false, onCalibrated = () => {}, onCase = () => {} } = {}) {
  const queue = scenarios.map((name) => {
    const s = SCENARIOS.find((x) => x.name === name);
    if (!s) throw new Error(`no scenario ${name}; there are ${SCENARIOS.map((x) => x.name).join(', ')}`);
    return s;
  });
  const results = [];
  const calibrations = {};
  const kept = [];
  const worker = async () => {
    const bench = openSweepBench();
    try {
      for (let s = queue.shift(); s; s = queue.shift()) {
        const cal = await calibrate(bench, s);
        calibrations[s.name] = cal;
        const cases = only.case ? [only.case] : plannedCases(cal.counts, spread, only);
        onCalibrated(s, cal, cases.length);
        for (const c of cases) {
          const r = await runCase(bench, s, cal, c);
          results.push(r);
          onCase(r);
        }
      }
      if (!keep) await clearLast(bench);
    } finally {
      if (keep) kept.push(bench.base);
      else bench.close();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
  return { calibrations, results, kept };
}
