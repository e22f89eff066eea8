// The reasons to leave an operand untouched, decided from the probe alone (nothing read yet).
import path from 'node:path';
import { CmemError, CmemWarning } from '../errors.js';
import { NAME_MAX } from '../steps/name-max.js';
import { RESERVE_NAME } from '../steps/reserve-file.js';
import { byteLength } from '../fs/raw-names.js';
import type { FileFacts } from '../probe/file.js';
import type { HolderScan } from '../probe/holder.js';
import type { Unwritable } from '../probe/writable.js';
import { heldOpenError } from './held-open.js';
import { holderCheckGap, unseenHoldersError } from './unseen-holders.js';
import type { Options } from './options.js';

export interface RefusalInput {
  file: FileFacts;
  holders: HolderScan;
  readable: boolean;
  outputPath: string;
  outputExists: boolean;
  /** What cannot be changed (FILE, its folder or the output's), when something cannot. */
  unwritable?: Unwritable;
}

/** The real reason, since "permission denied, run as root" is no help to root facing a read-only mount or chattr. */
function unwritableError({ path, what, why }: Unwritable): CmemError {
  const which = what === 'file' ? path : `the folder ${path}`;
  if (why === 'read-only')
    return new CmemError('READ_ONLY', `${which} is on a read-only filesystem: nothing can be written or freed there; left as it is`, 'remount it read-write (mount -o remount,rw) if that is intended');
  if (why === 'denied')
    return new CmemError('UNWRITABLE', `${which}: permission denied for writing; left as it is`, `run as the ${what}'s owner or as root`);
  const flag = why === 'immutable' ? 'i' : 'a';
  const can = {
    file: { immutable: 'nothing can change or remove it', 'append-only': 'it can only grow, never be rewritten, truncated or removed' },
    folder: { immutable: 'no entry can be made, renamed or removed in it', 'append-only': 'entries can be made in it, but never renamed or removed' },
  }[what][why];
  return new CmemError(
    'NOT_PERMITTED',
    `${which} is ${why} (chattr +${flag}): ${can}, not even by root; left as it is`,
    `lsattr -d ${path} shows the flag; chattr -${flag} ${path} lifts it, if that is intended`,
  );
}

/** gzip 1.12's words for what it passes over with exit 2, then what the thing is. */
const NOT_REGULAR: Record<string, string> = {
  directory: 'is a directory -- ignored (-r compresses what is in it)',
  fifo: 'is not a directory or a regular file (a FIFO) - ignored',
  socket: 'is not a directory or a regular file (a socket) - ignored',
  device: 'is not a directory or a regular file (a device) - ignored',
};

/** Telling the owner to run as the owner is no help: a mode such as 200 denies even the owner reading. */
export function unreadableError(file: FileFacts): CmemError {
  const mode = (file.mode & 0o7777).toString(8);
  const hint =
    file.uid === process.getuid?.()
      ? `its mode ${mode} denies even its owner reading it: chmod u+r ${file.path} first, or run as root`
      : "run as the file's owner or as root";
  return new CmemError('UNREADABLE', `${file.path}: permission denied`, hint);
}

/** What gzip says, with exit 2, of an operand that is no regular file: compressing, -c, -d, -t and -l alike. */
export const notRegular = (name: string, kind: string): CmemWarning => new CmemWarning('NOT_REGULAR', `${name} ${NOT_REGULAR[kind] ?? `is a ${kind}; ignored`}`);

/** An output name no filesystem takes: refused before anything looks for it (a lookup fails with ENAMETOOLONG). */
export function outputNameRefusal(outputPath: string): CmemError | undefined {
  const size = byteLength(path.basename(outputPath));
  if (size > NAME_MAX)
    return new CmemError('NAME_TOO_LONG', `${outputPath}: that name has ${size} bytes, more than the ${NAME_MAX} a file name may have; left as it is`, 'give -o a shorter name, or -S a shorter suffix');
  return undefined;
}

/** Returns why the operand must not be compressed, or undefined when it may proceed. */
export function refusal(input: RefusalInput, opts: Options): CmemError | CmemWarning | undefined {
  const { file } = input;
  const name = file.path;
  if (file.kind === 'missing') return new CmemError('ENOENT', `${name}: no such file or directory`);
  if (file.kind === 'symlink')
    return new CmemError('SYMLINK', `${name} is a symbolic link; not followed`, 'name the file it points to instead');
  if (file.kind !== 'file') return notRegular(name, file.kind);
  if (file.base === RESERVE_NAME)
    return new CmemError('BAD_OPTION', `${name} is the reserve of --reserve: compressing its zeros would throw it away; left as it is`, `cmemgzip --reserve 0 ${path.dirname(name)} removes it`);
  if (opts.suffix && file.base.endsWith(opts.suffix))
    return new CmemWarning('HAS_SUFFIX', `${name} already has ${opts.suffix} suffix -- unchanged`);
  if (!input.readable) return unreadableError(file);
  if (file.nlink > 1 && !opts.force)
    return new CmemError('HARD_LINKS', `${name} has ${file.nlink - 1} other hard link(s); compressing would free nothing`, 'use -f to compress this name anyway');
  // Only removing or rewriting FILE depends on nobody holding it: -k and --copytruncate leave it where holders write.
  if (input.holders.holders.length > 0 && !opts.copytruncate && !opts.keep) return heldOpenError(name, input.holders.holders);
  const gap = holderCheckGap(input.holders);
  if (gap && !opts.copytruncate && !opts.keep && !opts.assumeUnheld && !opts.simulate) return unseenHoldersError(name, gap);
  if (input.unwritable) return unwritableError(input.unwritable);
  if (input.outputExists && !opts.force)
    return new CmemWarning('OUTPUT_EXISTS', `${input.outputPath} already exists; not overwritten (use -f)`);
  return undefined;
}
