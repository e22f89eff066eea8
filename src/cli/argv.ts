// Rewrites the Python tool's spellings into ones commander understands, before parsing.

/** `-m=100M` becomes `-m 100M`; everything after `--` is left alone. */
export function normalizeArgv(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return out.concat(args.slice(i));
    const short = /^-([a-zA-Z])=(.*)$/s.exec(arg);
    if (short) out.push(`-${short[1]}`, short[2]);
    else out.push(arg);
  }
  return out;
}
