import { expect, it } from 'vitest';
import { usageOf } from '../src/plan/scan-levels.js';
import type { FsFacts } from '../src/probe/filesystem.js';
import { nextCommands, scanLines, WORTH_IT, type Candidate, type FsScan } from '../src/report/scan-report.js';

const MiB = 2 ** 20;
const fsFacts: FsFacts = { type: 'ext4', mountPoint: '/var', dev: 1, blockSize: 4096, totalBytes: 100 * MiB, freeBytes: 5 * MiB, totalInodes: 100, freeInodes: 50, copyOnWrite: false, ramBacked: false };
const cand = (path: string, size: number, estimated: number, writers = 0): Candidate => ({
  path, size, estimated, writers: Array.from({ length: writers }, () => ({ pid: 9, command: 'nginx', fd: 4, writes: true, appends: true })),
});
const scan = (over: Partial<FsScan>): FsScan => ({ fs: fsFacts, dirs: ['/var/log'], usage: usageOf(fsFacts), files: 3, unreadable: 0, candidates: [], compressed: [], deleted: [], ...over });

it.each<[string, Partial<FsScan>, string[]]>([
  ['nothing to do', {}, []],
  ['quiet files in one command', { candidates: [cand('/var/log/a.log', 10 * MiB, MiB), cand('/var/log/b c.log', 5 * MiB, MiB)] }, [`cmemgzip /var/log/a.log '/var/log/b c.log'`]],
  ['written files one --copytruncate each', { candidates: [cand('/var/log/a.log', 10 * MiB, MiB, 1)] }, ['cmemgzip --copytruncate /var/log/a.log']],
  ['savings below the threshold: no command', { candidates: [cand('/var/log/r.bin', 10 * MiB, 10 * MiB - WORTH_IT + 1)] }, []],
  ['inodes exhausted: where the files are', { fs: { ...fsFacts, freeInodes: 0 }, usage: usageOf({ ...fsFacts, freeInodes: 0 }) }, [`find /var -xdev -type f | sed 's|/[^/]*$||' | sort | uniq -c | sort -rn | head   # folders holding the most files`]],
])('nextCommands: %s', (_name, over, commands) => expect(nextCommands(scan(over))).toEqual(commands));

it.each<[string, Partial<FsScan>, string]>([
  ['critical bytes', {}, '/var (ext4): CRITICAL: space 95% used [critical]'],
  ['inodes only', { fs: { ...fsFacts, freeBytes: 50 * MiB, freeInodes: 0 }, usage: usageOf({ ...fsFacts, freeBytes: 50 * MiB, freeInodes: 0 }) }, 'inodes, not bytes, are exhausted'],
  ['a writer', { candidates: [cand('/var/log/a.log', 10 * MiB, MiB, 1)] }, 'written to by PID 9 (nginx) fd 4, writing with O_APPEND: use --copytruncate'],
])('scanLines: %s', (_name, over, text) => expect(scanLines(scan(over)).join('\n')).toContain(text));
