// --deleted: lists every deleted file still held open, largest first, with the command that reclaims each; changes nothing.
import fs from 'node:fs';
import { EXIT } from '../errors.js';
import { findDeletedOpen, type DeletedFile } from '../probe/deleted-open.js';
import { fileKey, mappedFiles } from '../probe/mappings.js';
import { deletedJson, deletedLines, reclaimCommand, totalLine } from '../report/deleted-lines.js';
import type { Logger } from '../report/logger.js';
import { fsPath, withNameBytes } from '../fs/raw-names.js';

export const dirExists = (file: DeletedFile) => fs.existsSync(fsPath(file.path.slice(0, file.path.lastIndexOf('/')) || '/'));

/** Warns that processes we may not inspect can hold deleted files too; shared with --scan. */
export function warnHidden(scan: { checked: boolean; hidden: number }, log: Logger): void {
  if (!scan.checked) log.warn('/proc is not available: deleted files held open cannot be listed here (try lsof +L1)');
  else if (scan.hidden > 0)
    log.warn(`${scan.hidden} processes could not be inspected (not root): deleted files they hold open are not listed; run as root to see them all`);
}

export function listDeleted(json: boolean, log: Logger): number {
  const scan = findDeletedOpen();
  const mapped = scan.files.length > 0 ? mappedFiles() : new Map<string, Set<number>>();
  for (const file of scan.files) {
    const mappedBy = [...(mapped.get(fileKey(file.dev, file.ino)) ?? [])];
    const command = reclaimCommand(file, dirExists(file));
    if (json) process.stdout.write(`${JSON.stringify(withNameBytes(deletedJson(file, mappedBy, command)))}\n`);
    else deletedLines(file, mappedBy, command).forEach((line) => log.info(line));
  }
  log.info(scan.files.length > 0 ? totalLine(scan.files) : 'no deleted file is held open by any process that could be inspected');
  warnHidden(scan, log);
  return scan.checked ? EXIT.ok : EXIT.error;
}
