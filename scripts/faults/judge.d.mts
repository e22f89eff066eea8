// Types of the judge, for the spec that checks it finds a loss before trusting its OKs.
export interface Assessment {
  done: boolean;
  missing: number[];
  left: string[];
  files: string[];
}
export function assess(
  bench: { base: string; dir: string; stash: string; file: string },
  scenario: { done: 'compress' | 'copytruncate' | 'decompress' },
  original: Buffer,
  nonce: string,
): Promise<Assessment>;
