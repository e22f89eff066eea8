// FILE rewritten in place with its .gz, as steps: the .gz over FILE's own blocks from offset 0, fsync,
// the cut to the .gz's length, the read-back, and the rename to the .gz's name (which commits). Shared by
// the in-place strategy, stash then rewrite, and the rerun that finishes one from its safety copy.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { at } from '../fs/pinned-folders.js';
import { step, type Copy } from '../plan/steps.js';
import type { Identity } from '../probe/identity.js';
import { currentName } from '../probe/renamed.js';
import { assertLength, cutRewritten, openToRewrite, type Target } from '../steps/rewrite-in-place.js';
import { STEP } from '../steps/step-names.js';
import { closeJudged, fsyncDir, writeChunks } from '../steps/write-chunks.js';
import { bytes } from '../text/format.js';
import { act, type Action, type Say } from './action.js';

export interface RewriteJob {
  /** FILE as read: the inode the steps follow, whatever its name becomes. */
  target: Target & Identity & { dir: string; size: number };
  /** The .gz's bytes and length. */
  chunks: () => readonly Buffer[];
  length: number;
  /** The sizes FILE may have before the cut; any other means a writer appended meanwhile. */
  sizes: readonly number[];
  /** The original bytes, written back over the head if an append is caught before the cut. */
  original?: readonly Buffer[];
  verify: (file: string) => Promise<void>;
  outputPath: string;
  say: Say;
  fd?: number;
  cut: boolean;
  /** The name the rewritten inode was renamed from, and the .gz's name at the end. */
  renamedFrom?: string;
  output: string;
}

/** The name the rewritten inode has now: FILE's, or the one logrotate gave it in its folder. */
function whereRewritten(t: Target & Identity): string {
  const now = currentName(t.path, t);
  if (now) return now;
  throw new CmemError('CHANGED', `${t.path} was moved out of its folder or removed while it was rewritten in place; it holds the whole .gz`, `find it (its inode is ${t.ino}), check it with gzip -t, and name it NAME.gz`);
}

/**
 * Before the rewrite: the inode read, at its name now (logrotate may have renamed it in its folder meanwhile),
 * still holds what was read: the same size and modification time, and no name more (a hard link made meanwhile
 * would see its bytes rewritten too), owner and mode. Its ctime is not asked: a rename changes it.
 */
export function assertStillAsRead(t: Target & Identity & { size: number; mtimeNs: bigint; nlink: number }): void {
  const now = currentName(t.path, t);
  const st = now === undefined ? undefined : fs.lstatSync(at(now), { bigint: true, throwIfNoEntry: false });
  // Its owner and mode too: the .gz takes those read, and would undo a chmod or chown made meanwhile.
  const metadata = st && st.mode === BigInt(t.mode) && st.uid === BigInt(t.uid) && st.gid === BigInt(t.gid);
  if (st?.size !== BigInt(t.size) || st.mtimeNs !== t.mtimeNs || st.nlink > BigInt(t.nlink) || !metadata) throw new CmemError('CHANGED', `${t.path} changed since it was read; left as it is`, 'run cmemgzip again once nothing writes to it');
}

/** FILE's new name's .gz when logrotate renamed FILE meanwhile (and the .gz was to be FILE's), else the plan's. */
function outputFor(c: RewriteJob, now: string): string {
  const { path: file } = c.target;
  return now === file || !c.outputPath.startsWith(file) ? c.outputPath : now + c.outputPath.slice(file.length);
}

function closeFile(c: RewriteJob): void {
  if (c.fd !== undefined) closeJudged(c.fd);
  c.fd = undefined;
}

/** What the rewrite checks before it begins, and how it is undone (not at all when a copy elsewhere holds the original). */
export interface RewriteGuards<C> {
  check?: (c: C) => void;
  undo?: (c: C) => void;
}

/** held: copies while FILE holds the .gz's bytes but not yet under its name; done: once verified. */
export function rewriteActions<C extends RewriteJob>(held: readonly Copy[], done: readonly Copy[], size: number, { check, undo }: RewriteGuards<C> = {}): Action<C>[] {
  const on = { held: true };
  return [
    act(step(STEP.rewrite, held, size), {
      ...on,
      check,
      run: (c) => {
        // Through the name the inode has now: logrotate may have renamed FILE since it was read.
        c.fd = openToRewrite({ ...c.target, path: currentName(c.target.path, c.target) ?? c.target.path });
        writeChunks(c.fd, c.chunks(), 0);
      },
      undo: (c) => {
        closeFile(c);
        undo?.(c);
      },
    }),
    act(step(STEP.fsyncFile, held), { ...on, run: (c) => fs.fsyncSync(c.fd!) }),
    act(step(STEP.cut, held), {
      ...on,
      run: (c) => {
        cutRewritten(c.fd!, c.target, c.length, { sizes: c.sizes, original: c.original, progress: c });
        closeFile(c);
        c.say.info(`rewrote ${c.target.path} in place with the compressed bytes and cut it to ${bytes(c.length)}`);
      },
    }),
    act(step(STEP.verify, done, size), { ...on, run: (c) => c.verify(whereRewritten(c.target)) }),
    act(step(STEP.rename, done), {
      ...on,
      run: (c) => {
        const now = whereRewritten(c.target);
        c.output = outputFor(c, now);
        if (now !== c.target.path) c.say.warn(`${c.target.path} was renamed to ${now} while it was rewritten (logrotate, say): finishing it as ${c.output}`);
        // Right before the rename, nothing in between: an append after the cut would end up as trailing garbage.
        assertLength(now, c.length);
        fs.renameSync(at(now), at(c.output));
        c.renamedFrom = now;
      },
      commits: true,
    }),
    act(step(STEP.fsyncFolder, done), {
      ...on,
      run: (c) => {
        fsyncDir(path.dirname(c.output));
        if (path.dirname(c.renamedFrom!) !== path.dirname(c.output)) fsyncDir(path.dirname(c.renamedFrom!));
        c.say.info(`renamed it to ${c.output}`);
      },
    }),
  ];
}
