// Strategy 1's write: a private temporary beside the destination, made durable, verified, then renamed.
import fs from 'node:fs';
import path from 'node:path';
import { withinNameMax } from './name-max.js';
import { restoreMetadata, type Metadata } from './restore-metadata.js';
import { closeJudged, fsyncDir, writeChunks } from './write-chunks.js';
import { at } from '../fs/pinned-folders.js';
import { CmemError } from '../errors.js';
import { STEP } from './step-names.js';
import { reached } from './reached.js';

/** The temporary's fixed name, so that a later run can find what a killed one left; never longer than NAME_MAX. */
export function tempPathFor(outputPath: string): string {
  return path.join(path.dirname(outputPath), withinNameMax('.', path.basename(outputPath), '.cmemgzip-tmp'));
}

const CREATE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/**
 * Writes chunks to the temporary (O_EXCL, mode 0600), fsyncs, runs verify on it, sets the original's
 * metadata and renames it to outputPath. onTemp is told the path as soon as it exists, for cleanup.
 */
export function writeBeside(
  outputPath: string,
  chunks: readonly Buffer[],
  original: Metadata,
  verify: (file: string) => Promise<void>,
  onTemp: (temp: string | undefined) => void,
): Promise<void> {
  const fill = (fd: number) => {
    reached(STEP.writeTemp);
    writeChunks(fd, chunks);
  };
  return writeBesideWith(outputPath, fill, original, verify, onTemp);
}

/** writeBeside for content that is produced while it is written (a stream): fill writes it to fd (and reports that step). */
export async function writeBesideWith(
  outputPath: string,
  fill: (fd: number) => void | Promise<void>,
  original: Metadata,
  verify: (file: string) => Promise<void>,
  onTemp: (temp: string | undefined) => void,
): Promise<void> {
  const temp = tempPathFor(outputPath);
  const fd = fs.openSync(at(temp), CREATE_FLAGS, 0o600);
  onTemp(temp);
  try {
    await fill(fd);
    reached(STEP.fsyncTemp);
    fs.fsyncSync(fd);
    reached(STEP.verify);
    await verify(temp);
    restoreMetadata(fd, original);
    fs.fsyncSync(fd);
  } catch (err) {
    closeJudged(fd);
    fs.rmSync(at(temp), { force: true });
    onTemp(undefined);
    throw err;
  }
  closeJudged(fd);
  reached(STEP.rename);
  fs.renameSync(at(temp), at(outputPath));
  onTemp(undefined);
  reached(STEP.fsyncFolder);
  try {
    fsyncDir(path.dirname(outputPath));
  } catch (err) {
    throw new NotDurable(outputPath, err);
  }
}

/** The .gz is complete, verified and under its name, but the folder's fsync failed: nothing may be undone. */
export class NotDurable extends CmemError {
  constructor(outputPath: string, err: unknown) {
    super('IO', `${outputPath} is complete and verified, but making its name durable failed (${(err as Error).message})`, 'check the disk (dmesg), then run cmemgzip again on the file to finish');
  }
}
