// Block mode's last phase as the work of its steps: the parts, head first, appended one by one into the
// temporary .gz (each appended, fsynced, read back and compared, recorded, then deleted), then its
// metadata, the rename, and the emptied FILE removed with the journal.
import fs from 'node:fs';
import path from 'node:path';
import { identityOf, sameIdentity } from '../probe/identity.js';
import { currentName } from '../probe/renamed.js';
import { CmemError } from '../errors.js';
import { bytes, duration, speed } from '../text/format.js';
import { partPath, removeJournal, writeJournal, type JournalManifest, type JournalPaths, type PartRecord } from '../steps/journal.js';
import { at } from '../fs/pinned-folders.js';
import { readFileBlocks, readFull } from '../steps/read-blocks.js';
import { restoreMetadata } from '../steps/restore-metadata.js';
import { tempPathFor } from '../steps/write-beside.js';
import { closeJudged, fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { hiddenFor } from '../steps/hide-source.js';
import type { Assembly, BlockCtx } from './block-ctx.js';
import { getReady } from './block-cuts.js';

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

/** Once, before the first step of the assembly: FILE's blocks are all in parts, and the parts cover it whole. */
export async function startAssembly(c: BlockCtx): Promise<Assembly> {
  if (c.gz) return c.gz;
  await getReady(c);
  if (c.fd !== undefined) fs.closeSync(c.fd);
  c.fd = undefined;
  // The last block's bytes are in its part now: memory goes back to the parts' one at a time.
  c.block = undefined;
  const { m, say } = c;
  const ms = performance.now() - c.started!;
  say.info(`all ${m.parts.length} blocks saved as parts in ${duration(ms)} (${speed(m.size, ms)}); ${c.facts.path} is now empty`);
  // Under FILE's name, or under the one logrotate gave the file where it could not be hidden.
  const now = currentName(c.hidden, m) ?? c.hidden;
  const output = now !== c.hidden && c.outputPath.startsWith(c.facts.path) ? now + c.outputPath.slice(c.facts.path.length) : c.outputPath;
  if (now !== c.hidden) say.warn(`${c.facts.path} was renamed to ${now} while block mode ran (logrotate, say): the .gz is ${output}, and ${c.facts.path} is another file now, left alone`);
  const parts = [...m.parts].sort((a, b) => a.index - b.index);
  const covered = parts.reduce((n, p) => (p.offset === n ? n + p.length : NaN), 0);
  if (covered !== m.size) throw new CmemError('IO', `the journal ${c.journal!.manifest} does not cover the whole file; parts are kept`, 'run cmemgzip --resume on the file');
  const temp = tempPathFor(output);
  // A run killed after the rename has nothing left to append: only the last steps remain.
  const renamed = m.assembledParts === parts.length && !fs.existsSync(at(temp));
  c.gz = { file: now, output, temp, parts, renamed };
  return c.gz;
}

/** Step "create the temporary .gz": new, its identity recorded, and its name durable before any part is deleted on the strength of it. */
export async function createGz(c: BlockCtx): Promise<void> {
  const gz = await startAssembly(c);
  fs.rmSync(at(gz.temp), { force: true });
  gz.fd = fs.openSync(at(gz.temp), fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW, 0o600);
  fsyncDir(path.dirname(gz.temp));
  c.m.output = identityOf(fs.fstatSync(gz.fd, { bigint: true }));
  writeJournal(c.journal!, c.m);
}

/** The temporary .gz a killed run was assembling: the one the journal names, cut back to what it records. */
export async function reopenGz(c: BlockCtx): Promise<Assembly> {
  const gz = await startAssembly(c);
  if (gz.fd !== undefined || gz.renamed) return gz;
  const fd = fs.openSync(at(gz.temp), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  if (!sameIdentity(identityOf(fs.fstatSync(fd, { bigint: true })), c.m.output)) {
    fs.closeSync(fd);
    throw new CmemError('CHANGED', `${gz.temp} is not the .gz this journal was assembling; nothing was touched`, `look at ${gz.temp}, remove it if it is not yours, then run cmemgzip --resume`);
  }
  fs.ftruncateSync(fd, c.m.assembledBytes);
  gz.fd = fd;
  return gz;
}

/** The parts not yet in the .gz, head first. */
export const partsLeft = (c: BlockCtx): PartRecord[] => c.gz!.parts.slice(c.m.assembledParts);

/** Step "block i: append its part to the .gz": appended, fsynced, read back, recorded, and only then the part deleted. */
export function appendPart(c: BlockCtx, part: PartRecord): void {
  const { m } = c;
  const journal: JournalPaths = c.journal!;
  const fd = c.gz!.fd!;
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

/** Step "rename it to the .gz name": FILE's times and owner on the .gz, fsynced, then the rename (never over a .gz made meanwhile). */
export async function renameGz(c: BlockCtx): Promise<void> {
  const gz = await reopenGz(c);
  if (gz.renamed) return;
  restoreMetadata(gz.fd!, c.m);
  fs.fsyncSync(gz.fd!);
  const fd = gz.fd!;
  gz.fd = undefined;
  closeJudged(fd);
  refuseTaken(gz.output, gz.temp, c.m, gz.file);
  fs.renameSync(at(gz.temp), at(gz.output));
}

/** Step "fsync the folder": the .gz's name is durable. */
export function fsyncGzFolder(c: BlockCtx): void {
  if (!c.gz!.renamed) fsyncDir(path.dirname(c.gz!.output));
}

/** Step "remove the emptied FILE and the journal": FILE only when it is still the job's and empty. */
export async function removeEmptied(c: BlockCtx): Promise<void> {
  const gz = await startAssembly(c);
  const left = fs.lstatSync(at(gz.file), { bigint: true, throwIfNoEntry: false });
  if (left && sameIdentity(identityOf(left), c.m) && left.size === 0n) {
    fs.unlinkSync(at(gz.file));
    fsyncDir(path.dirname(gz.file));
  }
  removeJournal(c.journal!);
  c.say.info(`assembled ${gz.parts.length} parts into ${gz.output} (${bytes(c.m.assembledBytes)}), each member checked`);
}

/** However the run ends: FILE and the temporary .gz closed (a failure's own error is the one told). */
export function closeAll(c: BlockCtx): void {
  for (const fd of [c.fd, c.gz?.fd])
    try {
      if (fd !== undefined) fs.closeSync(fd);
    } catch {
      /* the step's error is the one that counts */
    }
  c.fd = undefined;
  if (c.gz) c.gz.fd = undefined;
}
