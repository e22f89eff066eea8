// Block mode's job as its steps share it (the ctx): the manifest, FILE open, where it ends, the block in
// hand; and the few facts about FILE every step looks at.
import fs from 'node:fs';
import type { FileFacts } from '../probe/file.js';
import type { Compressed } from '../steps/compress.js';
import type { JournalManifest, JournalPaths, PartRecord } from '../steps/journal.js';
import type { SourceData } from '../steps/read-blocks.js';

/** What the steps of block mode say; the run's logger. */
export interface Say {
  info(message: string): void;
  detail(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The (size, times) the file had when we last touched it; anything else means another writer. */
export interface Seen {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** A block read and compressed, waiting for its part to be written and the cut. */
export interface Prepared {
  index: number;
  offset: number;
  source: SourceData;
  compressed: Compressed;
}

/** Where the assembly stands: the names it works under, the parts head first, the temporary .gz open. */
export interface Assembly {
  /** FILE's inode's name now: the hidden one, or the one logrotate gave it meanwhile. */
  file: string;
  output: string;
  temp: string;
  parts: PartRecord[];
  /** The .gz had its name before this run: only the emptied FILE and the journal are left. */
  renamed: boolean;
  fd?: number;
}

/** A block-mode job as its steps share it. */
export interface BlockCtx {
  facts: FileFacts;
  m: JournalManifest;
  /** Where the parts are: none yet before the one-block window's first part. */
  journal?: JournalPaths;
  outputPath: string;
  say: Say;
  /** Where the file's inode is: FILE, or its hidden name once hidden. */
  hidden: string;
  /** FILE, open read-write from the first step of the blocks to the assembly. */
  fd?: number;
  seen?: Seen;
  /** Where FILE should end now: the offset of the lowest block cut. */
  end: number;
  /** The block read, and the one below it compressing on the pool meanwhile. */
  block?: Prepared;
  next?: Promise<Prepared>;
  /** Set once FILE is checked, made this run's and cut back to where the journal says it ends. */
  ready?: boolean;
  started?: number;
  /** The assembly's state (block-assembly.ts). */
  gz?: Assembly;
}

/** Where the file ends now, as the manifest says it should: below the lowest part written. */
export const remainingBytes = (m: JournalManifest) => (m.parts.length === 0 ? m.size : Math.min(...m.parts.map((p) => p.offset)));

export function observe(fd: number): Seen {
  const st = fs.fstatSync(fd);
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs };
}

/** The cut, made durable. What it returns says FILE ends at offset: bytes appended meanwhile (during the fsync) count as appended, not as FILE's own. */
export function truncateTo(fd: number, offset: number): Seen {
  fs.ftruncateSync(fd, offset);
  fs.fsyncSync(fd);
  return { ...observe(fd), size: offset };
}
