// The command line: commander's definition, and its translation into Options and operands.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_OPTIONS, type Options, type Target } from '../plan/options.js';
import { normalizeArgv } from './argv.js';
import { gzipEnvArgs } from './gzip-env.js';
import { helpAfter } from './help-text.js';
import { parseSize } from './sizes.js';
import { runtime, VERSION } from './version.js';

export interface Invocation {
  options: Options;
  files: string[];
}

/** Smallest block for -m: below this, per-block overhead dominates and ratio suffers. */
export const MIN_BLOCK = 64 * 1024;

function memoryOption(text: string): number {
  const size = parseSize(text);
  if (size === undefined || size === 0) throw new InvalidArgumentError('give a size such as 64M or 1G (K, M, G are binary units).');
  if (size < MIN_BLOCK) throw new InvalidArgumentError('a block must be at least 64K.');
  return size;
}

/** An empty suffix would make FILE its own .gz: `-f -S ''` would replace FILE with its gzip data. */
function suffixOption(text: string): string {
  if (text === '') throw new InvalidArgumentError("invalid suffix '': FILE would be its own .gz (refused, as by gzip).");
  return text;
}

function untilOption(text: string): Target {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const pct = m ? Number(m[1]) : NaN;
  if (!(pct >= 0 && pct < 100)) throw new InvalidArgumentError('give the use to reach as a percentage below 100, such as 80%.');
  return { kind: 'until', usedFraction: pct / 100 };
}

/** --above PCT: a whole or decimal percentage, compared with df's figure. */
function aboveOption(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  const pct = m ? Number(m[1]) : NaN;
  if (!(pct >= 0 && pct < 100)) throw new InvalidArgumentError('give the mark as a percentage below 100, such as 90%.');
  return pct;
}

function reserveOption(text: string): number {
  const size = parseSize(text);
  if (size === undefined) throw new InvalidArgumentError('give the reserve\'s size, such as 1G (K, M, G, T are binary units), or 0 to remove it.');
  return size;
}

function freeOption(text: string): Target {
  const size = parseSize(text);
  if (size === undefined || size === 0) throw new InvalidArgumentError('give the free space to reach, such as 2G (K, M, G, T are binary units).');
  return { kind: 'free', bytes: size };
}

/** The option definitions that --help, the man page and the shell completions are all made from. */
export function commandLine(onLevel: (level: number) => void = () => {}): Command {
  const program = new Command('cmemgzip')
    .description('Compress files on a full disk: in memory, verified, the original freed only once the .gz is safe.')
    .usage('[options] FILE...')
    .argument('[FILE...]', 'files to compress (with -d, -t, -l: .gz files; none or -: stdin to stdout)')
    // GNU's form, program then version, which scripts (and gzip's own tests) read as the first line's last word.
    .version(`cmemgzip ${VERSION}\n${runtime()}`, '-V, --version', 'print the version and the runtime')
    .helpOption('-h, --help', 'show this help')
    .option('-k, --keep', 'keep the original (needs room for the .gz)')
    .option('-f, --force', 'overwrite an existing .gz; compress a file with other hard links')
    .option('-S, --suffix <suf>', 'suffix of compressed files', suffixOption, DEFAULT_OPTIONS.suffix)
    .option('-o, --output <path>', 'write the .gz there: a folder or a file name, possibly on another filesystem')
    .option('--stash <dir>', 'folder on another filesystem for the safety copy (default: /var/tmp, /tmp, /run, /dev/shm: a disk before RAM)')
    .option('--no-stash', 'never write a safety copy elsewhere')
    .option('--safe', 'no loss window: refuse to rewrite in place without a safety copy on a disk (strategy 3, or a copy in RAM)')
    .option('--allow-ram-stash', 'with --safe: accept a safety copy in RAM (/dev/shm): it survives a kill -9, not a power cut')
    .option('-m, --memory <size>', 'block mode: blocks of SIZE, tail first, memory bounded (K, M, G; at least 64K)', memoryOption)
    .option('-s, --simulate', 'show what would be done and freed, with real compression in memory; change nothing')
    .option('--dry-run', 'same as --simulate')
    .option('-t, --test', 'test the integrity of .gz files')
    .option('--resume', 'finish an interrupted run from its stash or journal (a plain rerun does too)')
    .option('--copytruncate', 'for a file a process keeps writing to: compress a copy, then truncate it in place')
    .option('--assume-unheld', 'not root (or /proc hidepid=2): remove or rewrite FILE although the processes that could not be inspected may hold it open')
    .option('--deleted', 'list deleted files still held open by a process, largest first; change nothing')
    .option('--scan', 'report on the filesystems of the operands (default: . and /var/log) and what to compress; change nothing')
    .addOption(new Option('--until <pct>', 'choose logs under FILE... (folders; default: . and /var/log) and compress until the filesystem is at most PCT used (as df counts)').argParser(untilOption).conflicts('free'))
    .option('--free <size>', 'as --until, but until SIZE is free (K, M, G, T)', freeOption)
    .option('--above <pct>', "with --until: act only when the filesystem is more than PCT used (df's figure), and never through a window (-y allows one)", aboveOption)
    .option('--reserve <size>', "keep a reserve of SIZE on DIR's filesystem (DIR/.cmemgzip-reserve) that a run at 0 free borrows from to write beside; 0 removes it", reserveOption)
    .option('--include-active', 'with --until/--free: also take the active log of a rotated set (app.log beside app.log.1)')
    .option('--any-file', 'with --until/--free: take any large file, not only logs (a log\'s name, or text)')
    .option('-d, --decompress', 'decompress .gz files: beside them when there is room, else refused with the room needed')
    .addOption(new Option('--uncompress', 'same as -d').hideHelp())
    .option('-c, --stdout', 'write to stdout and keep the input (compress or decompress); no FILE or - reads stdin')
    .option('-l, --list', 'list compressed and uncompressed sizes, ratio and name of .gz files (members summed)')
    .option('-r, --recursive', 'walk folders; skip what is already compressed, symlinks and special files')
    .option('-N, --name', 'with -d: restore the name and mtime stored in the .gz (compressing stores them by default)')
    .option('-n, --no-name', 'compressing: store no name and mtime 0 (with -d, the default: restore neither)')
    .addOption(new Option('--rsyncable').hideHelp())
    .option('-y, --yes', 'answer yes: proceed without asking, even into the in-place window')
    .option('-q, --quiet', 'print errors only')
    .option('-v, --verbose', 'print more detail')
    .option('--json', 'print one JSON object per file on stdout, nothing else there')
    .option('-b, --black-and-white', 'no colour (also --no-color, NO_COLOR)')
    .option('--no-color', 'no colour')
    .option('--fast', 'same as -1')
    .option('--best', 'same as -9')
    .addHelpText('after', helpAfter())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (let level = 1; level <= 9; level++)
    program.addOption(new Option(`-${level}`, level === 6 ? 'compression level (1 fastest ... 9 best, 6 default)' : '').hideHelp(level !== 6));
  program.on('option:fast', () => onLevel(1));
  program.on('option:best', () => onLevel(9));
  for (let level = 1; level <= 9; level++) program.on(`option:${level}`, () => onLevel(level));
  program.on('option:rsyncable', () =>
    program.error('error: --rsyncable is not supported: cmemgzip compresses blocks on their own into one gzip member, with no resets where rsync could find them; use gzip --rsyncable or pigz --rsyncable where rsync must see small deltas'),
  );
  return program;
}

/**
 * Parses argv (without node and script). Returns the invocation, or the exit code when commander
 * already answered (help, version) or rejected the line.
 */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Invocation | number {
  let level = DEFAULT_OPTIONS.level;
  const program = commandLine((l) => (level = l));
  const fromEnv = gzipEnvArgs(env.GZIP);
  if ('refused' in fromEnv) {
    process.stderr.write(`${fromEnv.refused}\n`);
    return 1;
  }
  try {
    program.parse(normalizeArgv([...fromEnv.args, ...argv]), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 1;
    throw err;
  }
  const o = program.opts();
  if (o.above !== undefined && o.until === undefined) {
    process.stderr.write('error: --above needs --until: the mark to act above, and the use to free down to (--until 80% --above 90%)\n');
    return 1;
  }
  const options: Options = {
    keep: !!o.keep,
    force: !!o.force,
    level,
    suffix: o.suffix,
    output: o.output,
    stash: typeof o.stash === 'string' ? o.stash : undefined,
    noStash: o.stash === false,
    safe: !!o.safe,
    allowRamStash: !!o.allowRamStash,
    quiet: !!o.quiet,
    verbose: !!o.verbose,
    json: !!o.json,
    color: o.color !== false && !o.blackAndWhite && !env.NO_COLOR,
    yes: !!o.yes,
    simulate: !!(o.simulate || o.dryRun),
    test: !!o.test,
    resume: !!o.resume,
    memory: o.memory,
    copytruncate: !!o.copytruncate,
    assumeUnheld: !!o.assumeUnheld,
    deleted: !!o.deleted,
    scan: !!o.scan,
    decompress: !!(o.decompress || o.uncompress),
    stdout: !!o.stdout,
    list: !!o.list,
    recursive: !!o.recursive,
    name: o.name,
    target: o.until ?? o.free,
    includeActive: !!o.includeActive,
    above: o.above,
    reserve: o.reserve,
    anyFile: !!o.anyFile,
  };
  return { options, files: program.args };
}
