// The reasons to leave a .gz alone before reading it, as gzip -d has them (a pure function of the probe).
import { CmemError, CmemWarning } from '../errors.js';
import { notRegular } from '../plan/refusals.js';
import type { FileFacts } from '../probe/file.js';
import { strippedName } from './decompress-path.js';

export function decompressRefusal(gz: FileFacts, opts: { suffix: string; force: boolean; keep: boolean }): CmemError | CmemWarning | undefined {
  const name = gz.path;
  if (gz.kind === 'missing') return new CmemError('ENOENT', `${name}: no such file or directory`);
  if (gz.kind === 'symlink') return new CmemError('SYMLINK', `${name} is a symbolic link; not followed`, 'name the file it points to instead');
  if (gz.kind !== 'file') return notRegular(name, gz.kind);
  if (strippedName(gz.base, opts.suffix) === undefined) return new CmemWarning('UNKNOWN_SUFFIX', `${name}: unknown suffix; ignored`);
  // Removing one name of several frees nothing; with -k nothing is removed, so it does not matter.
  if (gz.nlink > 1 && !opts.force && !opts.keep)
    return new CmemError('HARD_LINKS', `${name} has ${gz.nlink - 1} other hard link(s); removing it would free nothing`, 'use -k to keep it, or -f');
  return undefined;
}
