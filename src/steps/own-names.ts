// Names cmemgzip gives files of its own beside the operands: -r and --until pass them over, saying why.
import { isHiddenName } from './hide-source.js';
import { RESERVE_NAME } from './reserve-file.js';

export function ownFileReason(base: string): string | undefined {
  if (base.endsWith('.cmemgzip-tmp')) return 'a temporary of a cmemgzip run';
  if (isHiddenName(base)) return 'a file block mode is cutting (cmemgzip --resume on its own name finishes it)';
  if (base === RESERVE_NAME) return 'the reserve of --reserve: runs borrow from it';
  return undefined;
}
