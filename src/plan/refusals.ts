// The reasons to leave an operand untouched, decided from the probe alone (nothing read yet).
import { CmemError, CmemWarning } from '../errors.js';
import type { FileFacts } from '../probe/file.js';
import type { HolderScan } from '../probe/holders.js';
import { heldOpenError } from './held-open.js';
import type { Options } from './options.js';

export interface RefusalInput {
  file: FileFacts;
  holders: HolderScan;
  readable: boolean;
  outputPath: string;
  outputExists: boolean;
}

const NOT_REGULAR: Record<string, string> = {
  directory: 'is a directory',
  fifo: 'is a FIFO (named pipe)',
  socket: 'is a socket',
  device: 'is a device',
};

/** Returns why the operand must not be compressed, or undefined when it may proceed. */
export function refusal(input: RefusalInput, opts: Options): CmemError | CmemWarning | undefined {
  const { file } = input;
  const name = file.path;
  if (file.kind === 'missing') return new CmemError('ENOENT', `${name}: no such file or directory`);
  if (file.kind === 'symlink')
    return new CmemError('SYMLINK', `${name} is a symbolic link; not followed`, 'name the file it points to instead');
  if (file.kind !== 'file')
    return new CmemError('NOT_REGULAR', `${name} ${NOT_REGULAR[file.kind]}, not a regular file; ignored`);
  if (opts.suffix && file.base.endsWith(opts.suffix))
    return new CmemWarning('HAS_SUFFIX', `${name} already has the ${opts.suffix} suffix; unchanged`);
  if (!input.readable)
    return new CmemError('UNREADABLE', `${name}: permission denied`, "run as the file's owner or as root");
  if (file.nlink > 1 && !opts.force)
    return new CmemError('HARD_LINKS', `${name} has ${file.nlink - 1} other hard link(s); compressing would free nothing`, 'use -f to compress this name anyway');
  if (input.holders.holders.length > 0 && !opts.copytruncate) return heldOpenError(name, input.holders.holders);
  if (input.outputExists && !opts.force)
    return new CmemWarning('OUTPUT_EXISTS', `${input.outputPath} already exists; not overwritten (use -f)`);
  return undefined;
}
