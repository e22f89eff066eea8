// What --until / --free plans and achieves on one filesystem: the plan's lines, and the summary as a
// line and as the JSON object that follows the per-file ones.
import type { Target } from '../plan/options.js';
import type { Passed, SetPlan, SetStep } from '../plan/set-plan.js';
import type { FsFacts } from '../probe/filesystem.js';
import { usedFraction, usedPercent } from '../plan/scan-levels.js';
import { bytes, shortBytes } from '../text/format.js';

/** Passed-over files named in the human lines; --json lists them all. */
const PASSED_SHOWN = 10;

export function targetText(target: Target, wanted: number): string {
  return target.kind === 'until' ? `at most ${Math.round(target.usedFraction * 1000) / 10}% used (${shortBytes(wanted)} free)` : `at least ${shortBytes(wanted)} free`;
}

const used = (free: number, fs: FsFacts) => usedPercent(fs, free);

function how(s: SetStep): string {
  const where = s.stash ? ` (copy in ${s.stash})` : '';
  return `${s.strategy}${where}${s.risky ? ', the one risky step' : ''}`;
}

export function planLines(fs: FsFacts, target: Target, p: SetPlan, passed: readonly Passed[]): string[] {
  const lines = [
    `${fs.mountPoint} (${fs.type}): ${used(p.before, fs)} used, ${bytes(p.before)} free of ${shortBytes(fs.totalBytes)}; target: ${targetText(target, p.wanted)}`,
  ];
  if (p.steps.length > 0) lines.push(`plan: ${p.steps.length} file(s), largest saving first, ${p.steps.filter((s) => s.risky).length} risky step(s):`);
  p.steps.forEach((s, i) =>
    lines.push(`  ${i + 1}. ${s.path}: ${shortBytes(s.size)} -> about ${shortBytes(s.estimated)}, ${how(s)}; free after: about ${shortBytes(s.freeAfter)}`),
  );
  lines.push(
    `expected at the end: ${shortBytes(p.expectedFree)} free, ${used(p.expectedFree, fs)} used: ${p.met ? 'target met' : `target NOT met: ${p.short}`}`,
  );
  if (passed.length > 0)
    lines.push(
      `passed over: ${passed.slice(0, PASSED_SHOWN).map((f) => `${f.path} (${f.reason})`).join('; ')}${passed.length > PASSED_SHOWN ? `; and ${passed.length - PASSED_SHOWN} more (-v or --json lists them)` : ''}`,
    );
  return lines;
}

/** A step of the plan as --simulate --json prints it, named as the per-file objects of a real run are. */
export function plannedJson(s: SetStep) {
  const { path, ...rest } = s;
  return { file: path, status: 'planned', ...rest };
}

export interface SetOutcome {
  fs: FsFacts;
  target: Target;
  wanted: number;
  before: number;
  after: number;
  /** The files compressed, in the order they were. */
  files: string[];
  failed: { file: string; message: string }[];
  passed: readonly Passed[];
  met: boolean;
  simulated: boolean;
  /** Why it stopped short of the target. */
  short?: string;
  /** --above: df's Use% when the run began, the mark, and whether it was above it. */
  guard?: { above: number; usedPercent: number; acted: boolean };
}

export function summaryJson(o: SetOutcome) {
  const at = (free: number) => ({ freeBytes: free, usedFraction: usedFraction(o.fs, free) });
  return {
    summary: o.simulated ? 'planned' : 'done',
    mountPoint: o.fs.mountPoint,
    totalBytes: o.fs.totalBytes,
    target: { ...o.target, freeBytes: o.wanted },
    before: at(o.before),
    after: at(o.after),
    files: o.files,
    met: o.met,
    short: o.short,
    failed: o.failed,
    passedOver: o.passed,
    guard: o.guard,
  };
}

/** Where --above found the filesystem against its mark. */
export function guardLine(mountPoint: string, g: NonNullable<SetOutcome['guard']>): string {
  return `${mountPoint}: ${g.usedPercent}% used as df counts it, ${g.acted ? 'above' : 'not above'} the ${g.above}% mark${g.acted ? '' : ': nothing to do'}`;
}

export function summaryLine(o: SetOutcome): string {
  if (o.guard && !o.guard.acted) return guardLine(o.fs.mountPoint, o.guard);
  const verb = o.simulated ? 'would compress' : 'compressed';
  const head = `${o.fs.mountPoint}: ${verb} ${o.files.length} file(s), free ${shortBytes(o.before)} -> ${shortBytes(o.after)} (${used(o.after, o.fs)} used)`;
  return o.met ? `${head}: target met (${targetText(o.target, o.wanted)})` : `${head}: target NOT met (${targetText(o.target, o.wanted)}): ${o.short}`;
}
