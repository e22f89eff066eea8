// --copytruncate's steps before the truncation: the copy made durable beside FILE (a new .gz, or a
// temporary holding the earlier archive then the new member), or in a stash; then the writer caught up
// with. FILE still holds every byte meanwhile, so each undo only removes what the run made; once FILE
// is cut (ctx.before is set) the copy is all there is and no undo touches it, whatever the executor thinks.
import fs from 'node:fs';
import path from 'node:path';
import { at } from '../fs/pinned-folders.js';
import { fsTypeOf, identityOf } from '../probe/identity.js';
import type { StashCandidate } from '../probe/stash.js';
import { appendedContent, appendTarget, writeAppendedTemp } from '../steps/append-archive.js';
import { appendMember } from '../steps/append-member.js';
import { chunksOf, compressSource } from '../steps/compress.js';
import { crc32 } from '../steps/gzip-format.js';
import { readBlocks } from '../steps/read-blocks.js';
import { newStashManifest, removeStash, setStashPhase, stashPaths, writeStash } from '../steps/stash.js';
import { dropTruncateRecord, leaveTruncateRecord } from '../steps/truncate-record.js';
import { verifyContent } from '../steps/verify-content.js';
import { verifyWritten } from '../steps/verify.js';
import { createTemp, dropTemp, fsyncOutputFolder, NotDurable, sealTemp } from '../steps/write-beside.js';
import { fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { bytes } from '../text/format.js';
import type { Code, TruncateCtx } from './copytruncate-ctx.js';

/** Rounds of catching up before truncating anyway; while the writer is steady each round is shorter. */
export const MAX_ROUNDS = 8;

/** Beside, the copy is under the .gz's name before FILE is truncated: a note says so meanwhile, for a rerun. */
function note(c: TruncateCtx, temp: string, before: number): void {
  leaveTruncateRecord(c.facts, { gz: identityOf(fs.lstatSync(at(temp), { bigint: true })), before });
  c.noted = true;
}

function unnote(c: TruncateCtx): void {
  if (c.noted) dropTruncateRecord(c.facts);
  c.noted = false;
}

/** The .gz written beside FILE under its own name: the temporary's five steps. */
export const besideCopy: readonly Code[] = [
  {
    run: (c) => {
      c.temp = createTemp(c.outputPath);
      note(c, c.temp.path, 0);
      writeChunks(c.temp.fd!, chunksOf(c.compressed));
    },
    // Renamed and only the folder's fsync failed: the copy is the .gz, and the note stays for the rerun.
    undo: (c) => {
      if (c.kept || c.before) return;
      if (c.temp && !c.renamed) dropTemp(c.temp);
      c.temp = undefined;
      unnote(c);
    },
  },
  { run: (c) => fs.fsyncSync(c.temp!.fd!) },
  {
    run: async (c) => {
      await verifyWritten(c.temp!.path, c.compressed, c.first);
      sealTemp(c.temp!, c.facts);
    },
  },
  {
    run: (c) => {
      fs.renameSync(at(c.temp!.path), at(c.outputPath));
      c.renamed = true;
      c.copy = c.outputPath;
    },
    undo: (c) => {
      if (c.renamed && !c.kept && !c.before) fs.rmSync(at(c.outputPath), { force: true });
    },
  },
  {
    run: async (c) => {
      try {
        await fsyncOutputFolder(c.outputPath);
      } catch (err) {
        if (err instanceof NotDurable) c.kept = true;
        throw err;
      }
      c.say.info(`wrote and verified ${c.outputPath}`);
    },
  },
];

/** A repeated --copytruncate: a temporary with the earlier archive's bytes, then the new member, fsynced. */
export const appendedCopy: Code = {
  run: (c) => {
    c.appended = writeAppendedTemp(c.archive!, chunksOf(c.compressed), (temp) => {
      c.temp = { path: temp };
      note(c, temp, c.archive!.bytes);
    });
    c.copy = c.appended.temp;
  },
  // Once renamed the copy is the archive: the note stays for a rerun to cut it back.
  undo: (c) => {
    if (c.renamed || c.before) return;
    if (c.temp) fs.rmSync(at(c.temp.path), { force: true });
    c.temp = undefined;
    unnote(c);
  },
};

export const verifyAppended: Code = {
  run: async (c) => {
    await verifyContent(c.copy!, appendedContent(c.archive!.content, c.first));
    c.say.info(`wrote and verified ${c.copy}: the earlier archive's ${bytes(c.archive!.content.size)} of content, then the new member`);
  },
};

/** Over the archive, unchanged since it was copied: FILE.gz is at every instant the old whole or the new one. */
export const renameAppended: Code = {
  run: (c) => {
    c.appended!.rename();
    c.renamed = true;
    c.copy = c.outputPath;
  },
};

export const fsyncAppendedFolder: Code = {
  run: (c) => {
    fsyncDir(path.dirname(c.outputPath));
    c.say.info(`renamed it to ${c.outputPath}: the earlier archive with the new members after it`);
  },
};

/** The copy in a stash, verified, with its manifest (which names an earlier archive to append to). */
export const stashCopy = (stash: StashCandidate): Code => ({
  run: async (c) => {
    const paths = stashPaths(stash.dir, c.facts);
    const where = { fsType: fsTypeOf(c.name), name: c.name };
    const manifest = { ...newStashManifest(c.facts, where, c.first, c.compressed.size, true), ...(c.archive ? { appendTo: appendTarget(c.archive) } : {}) };
    c.stash = { paths, manifest };
    try {
      await writeStash(paths, manifest, chunksOf(c.compressed), (f) => verifyWritten(f, c.compressed, c.first));
    } catch (err) {
      // writeStash leaves nothing of its own behind; a record it refused to write over is another job's.
      c.stash = undefined;
      throw err;
    }
    c.copy = paths.data;
    c.say.info(`wrote and verified the stash copy ${paths.data} on ${stash.fs.mountPoint} (${stash.fs.type})`);
  },
  // Also when a signal stops the write partway: the stash is ours from its first byte.
  undo: (c) => {
    if (c.stash && !c.before) removeStash(c.stash.paths);
    c.stash = undefined;
  },
});

/**
 * A stash's manifest follows every round, marked as possibly truncated already: that way the last
 * read, the one that finds nothing new, is followed by the truncation at once.
 */
function recordRound(c: TruncateCtx): void {
  if (!c.stash) return;
  const { paths, manifest } = c.stash;
  const p = c.progress!;
  c.stash.manifest = setStashPhase(paths, { ...manifest, size: p.size, crc: p.crc, compressedSize: p.compressedSize }, 'rewriting');
}

/** Appends what the writer added since the first read, as further members, until a read finds nothing new or the rounds run out. */
export const catchUp: Code = {
  run: async (c) => {
    const p = { size: c.first.size, crc: c.first.crc, compressedSize: c.compressed.size, rounds: 0 };
    c.progress = p;
    recordRound(c);
    while (p.rounds < MAX_ROUNDS) {
      const tail = readBlocks(c.readFd, { start: p.size });
      if (tail.size === 0) break;
      const member = await compressSource(tail, { mtime: c.facts.mtimeMs / 1000, level: c.level });
      appendMember(c.copy!, chunksOf(member), tail);
      p.size += tail.size;
      p.crc = tail.blocks.reduce((crc, block) => crc32(block, crc), p.crc);
      p.compressedSize += member.size;
      p.rounds++;
      recordRound(c);
    }
  },
};
