// Block mode's last phase: the parts, head first, appended one by one into the .gz (each appended,
// fsynced, read back and compared, recorded, then deleted), then metadata, rename, and the empty original removed.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { bytes } from '../report/format.js';
import type { Logger } from '../report/logger.js';
import { removeJournal, writeJournal, type JournalManifest, type JournalPaths, type PartRecord } from '../steps/journal.js';
import { readFileBlocks, readFull } from '../steps/read-blocks.js';
import { restoreMetadata } from '../steps/restore-metadata.js';
import { tempPathFor } from '../steps/write-beside.js';
import { fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { critical } from './signals.js';

/**
 * Reads the member just appended back and compares it with its part. Each part was inflated and
 * checked against the original bytes when it was written, so equal bytes prove the member; inflating
 * 1 GiB again here, one part after another, cost a quarter of block mode's time.
 */
function checkMember(fd: number, at: number, part: PartRecord, chunks: readonly Buffer[]): void {
  let position = at;
  for (const chunk of chunks) {
    const back = Buffer.allocUnsafe(chunk.length);
    if (readFull(fd, back, position) !== back.length || !back.equals(chunk))
      throw new CmemError('VERIFY_FAILED', `block ${part.index} was not copied into the .gz intact`, 'the parts are kept: check the disk (dmesg), then run cmemgzip --resume');
    position += chunk.length;
  }
  if (position - at !== part.compressedSize) throw new CmemError('VERIFY_FAILED', `part ${part.index} is not the size its journal records`, 'the parts are kept: run cmemgzip --resume');
}

function openTemp(temp: string, m: JournalManifest): number {
  if (m.assembledParts === 0) {
    fs.rmSync(temp, { force: true });
    return fs.openSync(temp, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  }
  const fd = fs.openSync(temp, fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  fs.ftruncateSync(fd, m.assembledBytes);
  return fd;
}

export async function assembleParts(journal: JournalPaths, m: JournalManifest, log: Logger): Promise<void> {
  const parts = [...m.parts].sort((a, b) => a.index - b.index);
  const covered = parts.reduce((n, p) => (p.offset === n ? n + p.length : NaN), 0);
  if (covered !== m.size) throw new CmemError('IO', `the journal ${journal.manifest} does not cover the whole file; parts are kept`, 'run cmemgzip --resume on the file');
  const temp = tempPathFor(m.outputPath);
  // A run killed after the rename has nothing left to append: only the last steps remain.
  const renamed = m.assembledParts === parts.length && !fs.existsSync(temp);
  if (!renamed) {
    const fd = openTemp(temp, m);
    try {
      for (const part of parts.slice(m.assembledParts)) {
        const chunks = readFileBlocks(part.path);
        writeChunks(fd, chunks, m.assembledBytes);
        fs.fsyncSync(fd);
        checkMember(fd, m.assembledBytes, part, chunks);
        m.assembledParts++;
        m.assembledBytes += part.compressedSize;
        writeJournal(journal, m);
        fs.rmSync(part.path, { force: true });
      }
      restoreMetadata(fd, m);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
  await critical(() => {
    if (!renamed) {
      fs.renameSync(temp, m.outputPath);
      fsyncDir(path.dirname(m.outputPath));
    }
    const left = fs.lstatSync(m.file, { throwIfNoEntry: false });
    if (left && left.ino === m.ino && left.size === 0) {
      fs.unlinkSync(m.file);
      fsyncDir(path.dirname(m.file));
    }
    removeJournal(journal);
  });
  log.info(`assembled ${parts.length} parts into ${m.outputPath} (${bytes(m.assembledBytes)}), each member checked`);
}
