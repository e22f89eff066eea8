// The strategies the sweep drives: how to set the stage so that the plan picks each, its arguments, what
// "the job is done" means for it, and which losses its user consented to.
const MiB = 2 ** 20;
const BLOCK = 256 * 1024;

/**
 * name: the table's row; args(bench): the CLI's options before the operand; room: bytes left free once
 * the filesystem is filled (undefined: not filled); input: the operand is the log or its gzip;
 * done: 'compress' (FILE gone, FILE.gz whole), 'copytruncate' (FILE emptied, FILE.gz whole) or
 * 'decompress' (FILE whole, FILE.gz gone); plan: what --simulate --json must say; consented(output,
 * missing, size): whether a SIGKILL's loss fell inside a window the user accepted with --yes.
 */
export const SCENARIOS = [
  { name: 'beside', args: () => [], room: 2 * MiB, input: 'log', done: 'compress', plan: { strategy: 'beside' } },
  { name: 'stash', args: (b) => ['--stash', b.stash], room: 0, input: 'log', done: 'compress', plan: { strategy: 'stash', window: false } },
  {
    name: 'in-place',
    args: () => ['--no-stash', '--yes'],
    room: 0,
    input: 'log',
    done: 'compress',
    plan: { strategy: 'in-place', window: true },
    // Killed between the window's opening and closing lines: the rewrite was under way, FILE's head is gz bytes.
    consented: (output) => output.includes('entering the in-place window') && !output.includes('in-place window closed'),
  },
  { name: 'blocks', args: (b) => ['-m', '256K', '--stash', b.stash], room: 0, input: 'log', done: 'compress', plan: { strategy: 'blocks', window: false } },
  {
    name: 'blocks-window',
    args: () => ['-m', '256K', '--no-stash', '--yes'],
    room: 0,
    input: 'log',
    done: 'compress',
    plan: { strategy: 'blocks', window: true },
    // The window holds the last block alone: a kill inside it may lose those bytes and no others.
    consented: (output, missing, size) => output.includes('one-block window') && missing.every((offset) => offset >= size - BLOCK),
  },
  { name: 'copytruncate', args: (b) => ['--copytruncate', '--stash', b.stash], room: 0, input: 'log', done: 'copytruncate', plan: { strategy: 'stash', copytruncate: {} } },
  { name: 'copytruncate-beside', args: () => ['--copytruncate'], room: 2 * MiB, input: 'log', done: 'copytruncate', plan: { strategy: 'beside', copytruncate: {} } },
  { name: 'decompress', args: () => ['-d'], room: undefined, input: 'gz', done: 'decompress', plan: { status: 'simulated', originalBytes: 2 * MiB } },
];

/** Whether a --simulate --json report says what the scenario's plan must be (every field of want, recursively). */
export function planMatches(report, want) {
  return Object.entries(want).every(([key, value]) =>
    value !== null && typeof value === 'object' ? report?.[key] !== null && typeof report?.[key] === 'object' && planMatches(report[key], value) : report?.[key] === value,
  );
}
