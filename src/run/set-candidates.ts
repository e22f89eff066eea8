// Finds the files --until / --free may take below the operands (folders walked, files as named),
// grouped by filesystem, and says why each other large file is passed over (by default it takes logs only).
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { describeHolders } from '../plan/held-open.js';
import type { Options } from '../plan/options.js';
import { notALog } from '../plan/log-like.js';
import { ACTIVE_LOG, isActiveLog } from '../plan/rotated-set.js';
import { savingOf, type Passed, type SetCandidate } from '../plan/set-plan.js';
import { probeFile } from '../probe/file.js';
import { probeFilesystem, type FsFacts } from '../probe/filesystem.js';
import { firstLook } from './holders-gate.js';
import { siblingsOf } from '../probe/siblings.js';
import { largestFiles } from '../probe/largest-files.js';
import { shortBytes } from '../text/format.js';
import { WORTH_IT } from '../report/scan-report.js';
import { exists, outputPathFor } from './output-path.js';
import { ownFileReason } from '../steps/own-names.js';
import { look } from './scan.js';
import { fsPath } from '../fs/raw-names.js';

/** How many of the largest files below the folders are looked at: each costs a sample's compression. */
const LOOKED_AT = 100;

export interface OperandGroup {
  fs: FsFacts;
  dirs: string[];
  files: string[];
}

export interface Gathered {
  candidates: SetCandidate[];
  passed: Passed[];
  /** Regular files seen below the folders. */
  scanned: number;
}

/** The operands grouped by the filesystem they are on, folders apart from files. */
export function groupOperands(operands: readonly string[]): OperandGroup[] {
  const groups = new Map<number, OperandGroup>();
  for (const operand of operands) {
    const abs = path.resolve(operand);
    const st = fs.lstatSync(fsPath(abs), { throwIfNoEntry: false });
    if (!st) throw new CmemError('ENOENT', `${abs}: no such file or directory`);
    const facts = probeFilesystem(st.isDirectory() ? abs : path.dirname(abs));
    const group = groups.get(facts.dev) ?? { fs: facts, dirs: [], files: [] };
    (st.isDirectory() ? group.dirs : group.files).push(abs);
    groups.set(facts.dev, group);
  }
  return [...groups.values()];
}

/** The file as a candidate, or why it is passed over; the cheap checks first, the sample and /proc last. */
function judge(file: string, opts: Options, siblings: Map<string, string[]>): SetCandidate | string {
  const facts = probeFile(file);
  if (facts.kind !== 'file') return `not a regular file (${facts.kind})`;
  const own = ownFileReason(facts.base);
  if (own) return own;
  if (opts.suffix && facts.base.endsWith(opts.suffix)) return `already has the ${opts.suffix} suffix`;
  if (facts.size === 0) return 'empty';
  if (facts.nlink > 1) return `has ${facts.nlink - 1} other hard link(s): compressing this name frees nothing`;
  if (!opts.includeActive && isActiveLog(facts.base, siblingsOf(facts.dir, siblings))) return ACTIVE_LOG;
  const outputPath = outputPathFor(file, opts);
  if (exists(outputPath) && !opts.force) return `${outputPath} exists (-f overwrites it)`;
  let seen;
  try {
    seen = look(file, facts.size, opts.level);
  } catch {
    return 'cannot be read';
  }
  if (seen.format) return `already compressed (${seen.format} data)`;
  const notLog = opts.anyFile ? undefined : notALog(facts.base, seen.text);
  if (notLog) return notLog;
  const candidate: SetCandidate = { file: facts, outputPath, estimated: seen.estimated };
  const saving = savingOf(candidate, 1);
  if (saving < WORTH_IT) return `would save about ${shortBytes(Math.max(0, saving))} only`;
  // One pass over /proc for all candidates: each is asked again before its removal (holders-gate.ts).
  const holders = firstLook(facts).holders;
  if (holders.length > 0 && !opts.copytruncate) return `held open by ${describeHolders(holders)}: --copytruncate takes it`;
  return candidate;
}

export function gatherCandidates(group: OperandGroup, opts: Options): Gathered {
  const walk = largestFiles(group.dirs, group.fs.dev, LOOKED_AT);
  const siblings = new Map<string, string[]>();
  const candidates: SetCandidate[] = [];
  const passed: Passed[] = [];
  for (const file of new Set([...group.files, ...walk.largest.map((f) => f.path)])) {
    // A file named as an operand is the operator's choice: only what the walk finds must look like a log.
    const judged = judge(file, group.files.includes(file) ? { ...opts, anyFile: true } : opts, siblings);
    if (typeof judged === 'string') passed.push({ path: file, reason: judged });
    else candidates.push(judged);
  }
  return { candidates, passed, scanned: walk.files };
}
