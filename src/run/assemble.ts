// Block mode's last phase: the parts, head first, appended one by one into the .gz (each appended,
// fsynced, read back and compared, recorded, then deleted), then metadata, rename, and the empty original removed.
import fs from 'node:fs';
import { identityOf, sameIdentity } from '../probe/identity.js';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { bytes } from '../text/format.js';
import type { Logger } from '../report/logger.js';
import { partPath, removeJournal, writeJournal, type JournalManifest, type JournalPaths, type PartRecord } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { readFileBlocks, readFull } from '../steps/read-blocks.js';
import { restoreMetadata } from '../steps/restore-metadata.js';
import { tempPathFor } from '../steps/write-beside.js';
import { closeJudged, fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { critical } from './signals.js';
import { hiddenFor } from '../steps/hide-source.js';
import { blockStep } from '../plan/steps.js';
import { STEP } from '../steps/step-names.js';
import { reached } from '../steps/reached.js';

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

/** The temporary .gz: new (its identity recorded) before the first part, else the one the journal names. */
function openTemp(temp: string, journal: JournalPaths, m: JournalManifest): number {
  if (m.assembledParts === 0) {
    reached(STEP.createGz);
    fs.rmSync(at(temp), { force: true });
    const fd = fs.openSync(at(temp), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
    // The temporary's name must be durable before any part is deleted on the strength of it.
    fsyncDir(path.dirname(temp));
    m.output = identityOf(fs.fstatSync(fd, { bigint: true }));
    writeJournal(journal, m);
    return fd;
  }
  const fd = fs.openSync(at(temp), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  if (!sameIdentity(identityOf(fs.fstatSync(fd, { bigint: true })), m.output)) {
    fs.closeSync(fd);
    throw new CmemError('CHANGED', `${temp} is not the .gz this journal was assembling; nothing was touched`, `look at ${temp}, remove it if it is not yours, then run cmemgzip --resume`);
  }
  fs.ftruncateSync(fd, m.assembledBytes);
  return fd;
}

/** A part must be the member its record describes: its trailer carries the block's CRC-32 and length. */
function checkTrailer(chunks: readonly Buffer[], part: PartRecord, file: string): void {
  const all = Buffer.concat(chunks.slice(-2));
  const size = chunks.reduce((n, c) => n + c.length, 0);
  const ok = size === part.compressedSize && all.length >= 8 && all.readUInt32LE(all.length - 8) === part.crc >>> 0 && all.readUInt32LE(all.length - 4) === part.length % 2 ** 32;
  if (!ok) throw new CmemError('VERIFY_FAILED', `${file} is not the part its journal records (length or CRC-32 differ); nothing more was touched`, 'the parts are kept: compare them with gzip -t, then run cmemgzip --resume');
}

/**
 * A rename replaces what stands at its target: only the .gz that stood there when the job began (-f) may
 * go. Anything else (made since, or a name someone steered the job to) is kept, and so is the finished .gz.
 */
function refuseTaken(outputPath: string, temp: string, m: JournalManifest, file: string): void {
  const st = fs.lstatSync(at(outputPath), { bigint: true, throwIfNoEntry: false });
  if (st && !(st.isFile() && sameIdentity(identityOf(st), m.replaces)))
    throw new CmemError('CHANGED', `${outputPath} was made while the job ran; it is kept, and the finished .gz waits at ${temp}`, `look at both; move ${outputPath} away, then run: cmemgzip --resume ${hiddenFor(file) ?? file}`);
}

export async function assembleParts(journal: JournalPaths, m: JournalManifest, file: string, outputPath: string, log: Logger): Promise<void> {
  const parts = [...m.parts].sort((a, b) => a.index - b.index);
  const covered = parts.reduce((n, p) => (p.offset === n ? n + p.length : NaN), 0);
  if (covered !== m.size) throw new CmemError('IO', `the journal ${journal.manifest} does not cover the whole file; parts are kept`, 'run cmemgzip --resume on the file');
  const temp = tempPathFor(outputPath);
  // A run killed after the rename has nothing left to append: only the last steps remain.
  const renamed = m.assembledParts === parts.length && !fs.existsSync(at(temp));
  if (!renamed) {
    const fd = openTemp(temp, journal, m);
    try {
      for (const part of parts.slice(m.assembledParts)) {
        reached(blockStep(part.index, 'append'));
        const chunks = readFileBlocks(partPath(journal, part.index));
        checkTrailer(chunks, part, partPath(journal, part.index));
        writeChunks(fd, chunks, m.assembledBytes);
        fs.fsyncSync(fd);
        checkMember(fd, m.assembledBytes, part, chunks);
        m.assembledParts++;
        m.assembledBytes += part.compressedSize;
        writeJournal(journal, m);
        fs.rmSync(at(partPath(journal, part.index)), { force: true });
      }
      restoreMetadata(fd, m);
      fs.fsyncSync(fd);
    } finally {
      closeJudged(fd);
    }
  }
  await critical(() => {
    if (!renamed) {
      reached(STEP.rename);
      refuseTaken(outputPath, temp, m, file);
      fs.renameSync(at(temp), at(outputPath));
      reached(STEP.fsyncFolder);
      fsyncDir(path.dirname(outputPath));
    }
    reached(STEP.removeEmpty);
    const left = fs.lstatSync(at(file), { bigint: true, throwIfNoEntry: false });
    if (left && sameIdentity(identityOf(left), m) && left.size === 0n) {
      fs.unlinkSync(at(file));
      fsyncDir(path.dirname(file));
    }
    removeJournal(journal);
  });
  log.info(`assembled ${parts.length} parts into ${outputPath} (${bytes(m.assembledBytes)}), each member checked`);
}
