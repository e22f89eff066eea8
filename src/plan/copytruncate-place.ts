// Where --copytruncate makes its copy durable before truncating: beside when there is room, else a
// stash on another filesystem; never in place, because a process keeps writing to the file.
import { CmemError } from '../errors.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { StashCandidate } from '../probe/stash.js';
import { RESERVE, roundUp } from './plan.js';

/** append: an earlier archive is at the .gz's name; it is copied ahead of the new members, never replaced by them alone. */
export type Place = { kind: 'beside'; reason: string; append?: boolean } | { kind: 'stash'; stash: StashCandidate; reason: string };

const fits = (fs: FsFacts, size: number) => fs.freeBytes >= roundUp(size, fs.blockSize) + RESERVE;

export function copyTruncatePlace(fileDev: number, outputFs: FsFacts, stashes: readonly StashCandidate[], compressedSize: number, archiveBytes?: number): Place {
  if (archiveBytes !== undefined) {
    if (fits(outputFs, archiveBytes + compressedSize))
      return { kind: 'beside', append: true, reason: `${outputFs.mountPoint} has room for the earlier archive's copy with the new member after it` };
    throw new CmemError(
      'NO_SPACE',
      `no room on ${outputFs.mountPoint} (${outputFs.freeBytes} bytes free) for a new copy of the earlier archive (${archiveBytes} bytes) with the new member (${compressedSize}) after it: ` +
        'a repeated --copytruncate keeps the earlier archive whole until that copy has replaced it; nothing was touched',
      `free ${archiveBytes + compressedSize + RESERVE} bytes there, or move the earlier archive to another filesystem (a new one is then started)`,
    );
  }
  if (fits(outputFs, compressedSize)) return { kind: 'beside', reason: `${outputFs.mountPoint} has room for the .gz` };
  if (outputFs.dev !== fileDev)
    throw new CmemError(
      'NO_SPACE',
      `no room for the .gz on ${outputFs.mountPoint} (${outputFs.freeBytes} bytes free), and truncating the file frees nothing there`,
      'choose an -o on a filesystem with room, or on the file\'s own',
    );
  const stash = stashes.find((s) => fits(s.fs, compressedSize));
  if (stash) return { kind: 'stash', stash, reason: `no room for the .gz on ${outputFs.mountPoint}: a copy goes to ${stash.dir} (${stash.fs.type}) until the truncation frees the space` };
  throw new CmemError(
    'NO_STASH',
    `no room for the .gz on ${outputFs.mountPoint} and no other filesystem with room for a stash copy (${compressedSize} bytes); ` +
      'a file a process writes to is never rewritten in place',
    'give --stash DIR on another filesystem with room',
  );
}
