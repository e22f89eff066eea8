// The last word before FILE is removed: a holder that appeared since the first look (or processes that
// could not be inspected) stops it, and the .gz already beside it is taken back, FILE as it was.
import fs from 'node:fs';
import path from 'node:path';
import { CmemError } from '../errors.js';
import { heldOpenError } from '../plan/held-open.js';
import type { Options } from '../plan/options.js';
import { holderCheckGap, unseenHoldersError } from '../plan/unseen-holders.js';
import type { FileFacts } from '../probe/file.js';
import type { HolderScan } from '../probe/holder.js';
import { at } from '../fs/pinned-folders.js';
import { fsyncDir } from '../steps/write-chunks.js';
import { lastCheck } from './holders-gate.js';

/** Why FILE may not be removed or rewritten, from a look at who holds it; undefined when it may. */
function heldRefusal(scan: HolderScan, file: string, opts: Pick<Options, 'assumeUnheld'>): CmemError | undefined {
  const gap = holderCheckGap(scan);
  return scan.holders.length > 0 ? heldOpenError(file, scan.holders) : gap && !opts.assumeUnheld ? unseenHoldersError(file, gap) : undefined;
}

/** Before the strategies that read FILE whole, then remove or rewrite it: a fresh look, as far from that step as a lone file's. */
export async function lookAgain(facts: FileFacts, opts: Pick<Options, 'assumeUnheld'>): Promise<void> {
  const refused = heldRefusal(await lastCheck(facts), facts.path, opts);
  if (refused) throw refused;
}

/** Just before the streamed run removes FILE, its .gz renamed in: a holder seen now takes the .gz back. */
export async function clearToRemove(facts: FileFacts, outputPath: string, opts: Pick<Options, 'assumeUnheld'>): Promise<void> {
  const refused = heldRefusal(await lastCheck(facts), facts.path, opts);
  if (!refused) return;
  fs.rmSync(at(outputPath), { force: true });
  fsyncDir(path.dirname(outputPath));
  throw new CmemError(refused.code, `${refused.message}; seen just before removing it, so ${outputPath}, made meanwhile, is removed again`, refused.hint);
}
