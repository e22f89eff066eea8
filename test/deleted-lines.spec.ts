import { expect, it } from 'vitest';
import type { DeletedFile } from '../src/probe/deleted-open.js';
import { deletedJson, deletedLines, reclaimCommand, totalLine } from '../src/report/deleted-lines.js';

const file = (path: string, mountPoint = '/var'): DeletedFile => ({
  path, dev: 1, ino: 2, size: 3000, allocated: 4096, mountPoint, fsType: 'ext4',
  holders: [{ pid: 12, command: 'apache2', fd: 7, writes: true, appends: true, link: '/proc/12/fd/7' }],
});

it.each([
  [file('/var/log/access.log'), true, 'cmemgzip -o /var/log/access.log.gz /proc/12/fd/7'],
  [file('/var/log/old/access.log'), false, 'cmemgzip -o /var/access.log.gz /proc/12/fd/7'],
  [file('/srv/x.log', '/'), false, 'cmemgzip -o /x.log.gz /proc/12/fd/7'],
  [file("/var/log/it's here.log"), true, `cmemgzip -o '/var/log/it'\\''s here.log.gz' /proc/12/fd/7`],
])('reclaimCommand(%j, dir exists: %s) = %s', (f, exists, command) => expect(reclaimCommand(f, exists)).toBe(command));

it.each([
  [[], ['reclaim: cmd']],
  [[12], ['mapped into memory by PID 12', 'restart it']],
])('deletedLines with mappedBy %j says %j, and JSON offers a command only when unmapped', (mappedBy, phrases) => {
  const text = deletedLines(file('/var/log/a.log'), mappedBy, 'cmd').join('\n');
  expect(text).toContain('/var/log/a.log (deleted), on /var (ext4)');
  expect(text).toContain('PID 12 (apache2) fd 7, writing with O_APPEND: /proc/12/fd/7');
  for (const p of phrases) expect(text).toContain(p);
  expect(deletedJson(file('/var/log/a.log'), mappedBy, 'cmd').command).toBe(mappedBy.length ? undefined : 'cmd');
});

it.each([
  [[], 'total reclaimable: 0 B (0 bytes) in 0 deleted file(s) still held open'],
  [[file('/a'), file('/b')], 'total reclaimable: 8 KiB (8,192 bytes) in 2 deleted file(s) still held open'],
])('totalLine(%j) = %s', (files, line) => expect(totalLine(files)).toBe(line));
