// How --deleted and --scan show deleted-but-open files: human lines, a JSON object each, the command to reclaim one.
import type { DeletedFile } from '../probe/deleted-open.js';
import { describeHolder } from '../plan/held-open.js';
import { shellQuote } from '../text/shell-quote.js';
import { bytes } from '../text/format.js';

/**
 * The command that compresses the content and gives the space back. The .gz goes where the file
 * was when that folder still exists, else to the top of its filesystem.
 */
export function reclaimCommand(file: DeletedFile, dirExists: boolean): string {
  const dir = file.path.slice(0, file.path.lastIndexOf('/')) || '/';
  const dest = dirExists ? `${file.path}.gz` : `${file.mountPoint === '/' ? '' : file.mountPoint}/${file.path.slice(dir.length + 1)}.gz`;
  return `cmemgzip -o ${shellQuote(dest)} ${file.holders[0].link}`;
}

export function deletedJson(file: DeletedFile, mappedBy: readonly number[], command: string) {
  return {
    path: file.path,
    dev: file.dev,
    ino: file.ino,
    size: file.size,
    allocatedBytes: file.allocated,
    mountPoint: file.mountPoint,
    fsType: file.fsType,
    holders: file.holders.map(({ pid, command: comm, fd, writes, appends, link }) => ({ pid, command: comm, fd, writes, appends, link })),
    mappedBy,
    command: mappedBy.length > 0 ? undefined : command,
  };
}

export function deletedLines(file: DeletedFile, mappedBy: readonly number[], command: string): string[] {
  const lines = [
    `${bytes(file.allocated)} on disk (size ${bytes(file.size)}): ${file.path} (deleted), on ${file.mountPoint} (${file.fsType})`,
    ...file.holders.map((h) => `    ${describeHolder(h)}: ${h.link}`),
  ];
  if (mappedBy.length > 0)
    lines.push(`    mapped into memory by PID ${mappedBy.join(', ')}: truncating it would crash that process; restart it to free the space`);
  else lines.push(`    reclaim: ${command}`);
  return lines;
}

export const totalLine = (files: readonly DeletedFile[]): string =>
  `total reclaimable: ${bytes(files.reduce((n, f) => n + f.allocated, 0))} in ${files.length} deleted file(s) still held open`;
