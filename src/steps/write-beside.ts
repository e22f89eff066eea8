// The .gz's temporary beside its destination: created private, made durable, verified, given the original's metadata, renamed.
import fs from 'node:fs';
import path from 'node:path';
import { withinNameMax } from './name-max.js';
import { restoreMetadata, type Metadata } from './restore-metadata.js';
import { closeJudged, writeChunks } from './write-chunks.js';
import { at } from '../fs/pinned-folders.js';
import { CmemError } from '../errors.js';
import { syncFolder } from './folder-sync.js';

/** The temporary's fixed name, so that a later run can find what a killed one left; never longer than NAME_MAX. */
export function tempPathFor(outputPath: string): string {
  return path.join(path.dirname(outputPath), withinNameMax('.', path.basename(outputPath), '.cmemgzip-tmp'));
}

const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** The temporary a strategy's steps write: its name, and its descriptor while it is open. */
export interface TempGz {
  path: string;
  fd?: number;
}

/** The step "write the temporary .gz" begins here: created O_EXCL|O_NOFOLLOW at mode 0600 beside the output. */
export function createTemp(outputPath: string, flags = CREATE_FLAGS): TempGz {
  const temp = tempPathFor(outputPath);
  return { path: temp, fd: fs.openSync(at(temp), flags, 0o600) };
}

/** The original's owner, mode and times on the temporary, fsynced and closed: ready for its name. */
export function sealTemp(t: TempGz, original: Metadata): void {
  restoreMetadata(t.fd!, original);
  fs.fsyncSync(t.fd!);
  closeJudged(t.fd!);
  t.fd = undefined;
}

/** The undo of the temporary's steps: closed if open, and removed. */
export function dropTemp(t: TempGz): void {
  if (t.fd !== undefined) closeJudged(t.fd);
  t.fd = undefined;
  fs.rmSync(at(t.path), { force: true });
}

/** The renamed .gz's folder fsynced (shared with the files that changed it in the same turn); a failure leaves the .gz whole, so nothing may be undone. */
export async function fsyncOutputFolder(outputPath: string): Promise<void> {
  try {
    await syncFolder(path.dirname(outputPath));
  } catch (err) {
    throw new NotDurable(outputPath, err);
  }
}

/** writeBesideWith for content already in memory. */
export const writeBeside = (outputPath: string, chunks: readonly Buffer[], original: Metadata, verify: (file: string) => Promise<void>, onTemp: (temp: string | undefined) => void) =>
  writeBesideWith(outputPath, (fd) => void writeChunks(fd, chunks), original, verify, onTemp);

/**
 * For content produced while it is written (-d's inflate): fill writes it to the temporary (O_EXCL, mode
 * 0600), then fsync, verify, the original's metadata, and the rename to outputPath. onTemp is told the
 * path as soon as it exists, for cleanup.
 */
export async function writeBesideWith(
  outputPath: string,
  fill: (fd: number) => void | Promise<void>,
  original: Metadata,
  verify: (file: string) => Promise<void>,
  onTemp: (temp: string | undefined) => void,
): Promise<void> {
  const t = createTemp(outputPath);
  onTemp(t.path);
  try {
    await fill(t.fd!);
    fs.fsyncSync(t.fd!);
    await verify(t.path);
    sealTemp(t, original);
  } catch (err) {
    dropTemp(t);
    onTemp(undefined);
    throw err;
  }
  fs.renameSync(at(t.path), at(outputPath));
  onTemp(undefined);
  await fsyncOutputFolder(outputPath);
}

/** The .gz is complete, verified and under its name, but the folder's fsync failed: nothing may be undone. */
export class NotDurable extends CmemError {
  constructor(outputPath: string, err: unknown) {
    super('IO', `${outputPath} is complete and verified, but making its name durable failed (${(err as Error).message})`, 'check the disk (dmesg), then run cmemgzip again on the file to finish');
  }
}
