// What the whole-file strategies' steps share while they run: FILE as read, its bytes and its .gz in
// memory, where the .gz goes, and the lines they say. Built by the run, read and filled in by the steps.
import type { Plan } from '../plan/plan.js';
import type { FileFacts } from '../probe/file.js';
import type { Identity } from '../probe/identity.js';
import { chunksOf, type Compressed } from '../steps/compress.js';
import type { SourceData } from '../steps/read-blocks.js';
import { putBack } from '../steps/rewrite-in-place.js';
import { currentName } from '../probe/renamed.js';
import type { StashManifest, StashPaths } from '../steps/stash.js';
import { verifyWritten } from '../steps/verify.js';
import { bytes } from '../text/format.js';
import type { RewriteJob } from './rewrite-steps.js';
import type { TempJob } from './temp-steps.js';

export interface WholeJob extends RewriteJob, TempJob {
  facts: FileFacts;
  /** Compression level, for the members that catch up with bytes appended meanwhile. */
  level: number;
  source: SourceData;
  compressed: Compressed;
  plan: Plan;
  /** The safety copy on another filesystem, its manifest as last written, and whether this run made it (stash then rewrite). */
  stash?: { paths: StashPaths; manifest: StashManifest; ours?: boolean };
  /** FILE's name removed by the unlink-first step: only then does its undo put the original back. */
  unlinked?: boolean;
  /** The new .gz's inode, once on record in the manifest (copy-on-write: before FILE is unlinked). */
  outputRecorded?: Identity;
}

export function newWholeJob(j: Pick<WholeJob, 'facts' | 'level' | 'source' | 'compressed' | 'plan' | 'say' | 'stash'>): WholeJob {
  const { facts, source, compressed, plan } = j;
  return {
    ...j,
    target: facts,
    chunks: () => chunksOf(compressed),
    length: compressed.size,
    sizes: [facts.size],
    original: source.blocks,
    verify: (file) => verifyWritten(file, compressed, source),
    outputPath: plan.outputPath,
    cut: false,
    output: plan.outputPath,
  };
}

/** The undo of the rewrite or of the unlink: the original bytes, from memory, back at FILE's name. */
export function putOriginalBack(c: WholeJob): void {
  // Renamed by us: the inode is the whole .gz under its name, nothing to put back.
  if (c.renamedFrom) return;
  // At the name the inode has now: logrotate may have renamed FILE meanwhile, and a new FILE is not ours.
  const now = currentName(c.facts.path, c.facts) ?? c.facts.path;
  putBack({ ...c.facts, path: now }, c.source.blocks, c.compressed.size, c.cut);
  c.say.info(`${c.facts.path} holds its original ${bytes(c.source.size)} again`);
}
