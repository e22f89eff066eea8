// What --scan found on one filesystem: its human lines, its JSON object, and the exact commands to run next.
import { describeHolders } from '../plan/held-open.js';
import { CRITICAL_AT, usedPercent, type Usage } from '../plan/scan-levels.js';
import type { DeletedFile } from '../probe/deleted-open.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { Holder } from '../probe/holder.js';
import { shellQuote } from '../text/shell-quote.js';
import { deletedJson, deletedLines } from './deleted-lines.js';
import { bytes, grouped, percent, shortBytes } from '../text/format.js';

export interface Candidate {
  path: string;
  size: number;
  /** Compressed size estimated from a sample of the file. */
  estimated: number;
  /** Processes writing to it: they call for --copytruncate. */
  writers: Holder[];
  /** Why --until would pass it over (the active log of a rotated set, no log): then no command is suggested. */
  untilPassesOver?: string;
}

export interface FsScan {
  fs: FsFacts;
  dirs: string[];
  usage: Usage;
  files: number;
  unreadable: number;
  candidates: Candidate[];
  /** Among the largest files, those whose first bytes say they are compressed already. */
  compressed: { path: string; size: number; format: string }[];
  deleted: { file: DeletedFile; mappedBy: number[]; command: string }[];
}

const saving = (c: Candidate) => Math.max(0, c.size - c.estimated);
/** Below this estimated saving a file is listed but no command is suggested for it. */
export const WORTH_IT = 64 * 1024;

export function nextCommands(s: FsScan): string[] {
  const out: string[] = [];
  const worth = s.candidates.filter((c) => saving(c) >= WORTH_IT && !c.untilPassesOver);
  const quiet = worth.filter((c) => c.writers.length === 0).map((c) => shellQuote(c.path));
  if (quiet.length > 0) out.push(`cmemgzip ${quiet.join(' ')}`);
  for (const c of worth.filter((c) => c.writers.length > 0)) out.push(`cmemgzip --copytruncate ${shellQuote(c.path)}`);
  for (const d of s.deleted) if (d.mappedBy.length === 0) out.push(d.command);
  if (s.usage.inodesLevel === 'critical')
    out.push(`find ${shellQuote(s.fs.mountPoint)} -xdev -type f | sed 's|/[^/]*$||' | sort | uniq -c | sort -rn | head   # folders holding the most files`);
  return out;
}

function usageLine(s: FsScan): string {
  const { fs: f, usage: u } = s;
  const worst = u.bytesLevel === 'critical' || u.inodesLevel === 'critical' ? 'CRITICAL' : u.bytesLevel === 'warning' || u.inodesLevel === 'warning' ? 'WARNING' : 'ok';
  const inodes =
    f.totalInodes > 0
      ? `${percent(f.totalInodes - f.freeInodes, f.totalInodes)} used [${u.inodesLevel}], ${grouped(f.freeInodes)} free of ${grouped(f.totalInodes)}`
      : 'no fixed limit';
  return (
    `${f.mountPoint} (${f.type}): ${worst}: space ${usedPercent(f, f.freeBytes)} used [${u.bytesLevel}], ` +
    `${bytes(f.freeBytes)} free of ${shortBytes(f.totalBytes)}; inodes ${inodes}`
  );
}

export function scanLines(s: FsScan): string[] {
  const lines = [usageLine(s)];
  if (s.usage.inodesOnly)
    lines.push(`  note: inodes, not bytes, are exhausted: compressing frees no inode (a .gz replaces a file one for one), so it cannot help here; remove or archive many small files`);
  else if (s.usage.inodesLevel === 'critical')
    lines.push(`  note: inodes are exhausted too (over ${CRITICAL_AT * 100}%): compressing frees bytes, not inodes`);
  lines.push(`  scanned ${grouped(s.files)} files under ${s.dirs.join(', ')}${s.unreadable > 0 ? ` (${s.unreadable} folders unreadable)` : ''}`);
  if (s.candidates.length > 0) lines.push('  largest files not compressed yet (saving estimated from a sample):');
  for (const c of s.candidates)
    lines.push(
      `    ${shortBytes(c.size).padStart(10)}  ${c.path}: about ${shortBytes(c.estimated)} compressed, saves about ${shortBytes(saving(c))} (${percent(saving(c), c.size)})` +
        (c.writers.length > 0 ? `; written to by ${describeHolders(c.writers)}: use --copytruncate` : '') +
        (c.untilPassesOver ? `; no command: ${c.untilPassesOver}` : ''),
    );
  if (s.compressed.length > 0)
    lines.push(`  already compressed among the largest (by their first bytes): ${s.compressed.map((c) => `${c.path} (${c.format})`).join(', ')}`);
  if (s.deleted.length > 0) lines.push('  deleted but still held open:');
  for (const d of s.deleted) lines.push(...deletedLines(d.file, d.mappedBy, d.command).map((l) => `    ${l}`));
  const commands = nextCommands(s);
  if (commands.length > 0) lines.push('  next:', ...commands.map((c) => `    ${c}`));
  return lines;
}

export function scanJson(s: FsScan) {
  return {
    mountPoint: s.fs.mountPoint,
    type: s.fs.type,
    dirs: s.dirs,
    totalBytes: s.fs.totalBytes,
    freeBytes: s.fs.freeBytes,
    usedFraction: s.usage.bytesFraction,
    level: s.usage.bytesLevel,
    totalInodes: s.fs.totalInodes,
    freeInodes: s.fs.freeInodes,
    inodesUsedFraction: s.usage.inodesFraction,
    inodesLevel: s.usage.inodesLevel,
    inodesOnly: s.usage.inodesOnly,
    files: s.files,
    unreadableFolders: s.unreadable,
    largest: s.candidates.map((c) => ({ path: c.path, size: c.size, estimatedBytes: c.estimated, savingBytes: saving(c), writers: c.writers.map((h) => h.pid), untilPassesOver: c.untilPassesOver })),
    alreadyCompressed: s.compressed,
    deleted: s.deleted.map((d) => deletedJson(d.file, d.mappedBy, d.command)),
    commands: nextCommands(s),
  };
}
