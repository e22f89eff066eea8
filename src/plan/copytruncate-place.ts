// Where --copytruncate makes its copy durable before truncating: beside when there is room, else a
// stash on another filesystem; never in place, because a process keeps writing to the file.
import { CmemError } from '../errors.js';
import type { FsFacts } from '../probe/filesystem.js';
import type { StashCandidate } from '../probe/stash.js';
import { RESERVE, roundUp } from './plan.js';

/** append: an earlier archive is at the .gz's name; it is copied ahead of the new members, never replaced by them alone. */
export type Place = { kind: 'beside'; reason: string; append?: boolean } | { kind: 'stash'; stash: StashCandidate; reason: string; append?: boolean };

const fits = (fs: FsFacts, size: number) => fs.freeBytes >= roundUp(size, fs.blockSize) + RESERVE;

export function copyTruncatePlace(fileDev: number, outputFs: FsFacts, stashes: readonly StashCandidate[], compressedSize: number, archiveBytes?: number): Place {
  if (archiveBytes !== undefined) {
    if (fits(outputFs, archiveBytes + compressedSize))
      return { kind: 'beside', append: true, reason: `${outputFs.mountPoint} has room for the earlier archive's copy with the new member after it` };
    // Appended in place after the truncation freed the room: the stash's manifest records the archive's length to cut back to.
    const stash = outputFs.dev === fileDev ? stashes.find((s) => fits(s.fs, compressedSize)) : undefined;
    if (stash)
      return { kind: 'stash', append: true, stash, reason: `no room on ${outputFs.mountPoint} for a copy of the earlier archive with the new member: the member goes to ${stash.dir} (${stash.fs.type}) until the truncation frees the space, then onto the archive` };
    throw new CmemError(
      'NO_SPACE',
      `no room on ${outputFs.mountPoint} (${outputFs.freeBytes} bytes free) for a new copy of the earlier archive (${archiveBytes} bytes) with the new member (${compressedSize}) after it, ` +
        'and no other filesystem with room for a stash copy; nothing was touched',
      `free ${archiveBytes + compressedSize + RESERVE} bytes there, or give --stash DIR on another filesystem with room`,
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
