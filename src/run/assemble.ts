// Block mode's last phase: the parts, head first, appended one by one into the .gz (each appended,
// fsynced, checked, recorded, then deleted), then metadata, rename, and the empty original removed.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { CmemError } from '../errors.js';
import { bytes } from '../report/format.js';
import type { Logger } from '../report/logger.js';
import { crc32 } from '../steps/gzip-format.js';
import { removeJournal, writeJournal, type JournalManifest, type JournalPaths, type PartRecord } from '../steps/journal.js';
import { readFileBlocks, readFull } from '../steps/read-blocks.js';
import { restoreMetadata } from '../steps/restore-metadata.js';
import { tempPathFor } from '../steps/write-beside.js';
import { fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { critical } from './signals.js';

/** Reads the member just appended back from the .gz and checks its content against the part's record. */
function checkMember(fd: number, at: number, part: PartRecord): void {
  const member = Buffer.allocUnsafe(part.compressedSize);
  if (readFull(fd, member, at) !== member.length) throw new Error('short read');
  const content = zlib.gunzipSync(member);
  if (content.length !== part.length || crc32(content) !== part.crc)
    throw new CmemError('VERIFY_FAILED', `block ${part.index} does not decompress to the bytes that were read`, 'the parts are kept: check the disk (dmesg), then run cmemgzip --resume');
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
        writeChunks(fd, readFileBlocks(part.path), m.assembledBytes);
        fs.fsyncSync(fd);
        checkMember(fd, m.assembledBytes, part);
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
