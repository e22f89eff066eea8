// The man page cmemgzip.1, in roff: its options are --help's own, from commander's definition, plus the prose sections.
import type { Command } from 'commander';
import { EXAMPLES, EXIT_CODES } from '../cli/help-text.js';

/** Text as roff reads it literally: backslashes and minus signs (not hyphens) escaped, one line at a time. */
const escape = (text: string) => text.replace(/\\/g, '\\e').replace(/-/g, '\\-');

/**
 * Prose as roff source: each sentence starts a line (so roff knows where sentences end), lines wrap
 * before 80 columns (mandoc's lint), and none starts with . or ', which roff would take for a request.
 */
export function roff(text: string): string {
  const lines: string[] = [];
  for (const sentence of escape(text).split(/(?<=[.!?]) +(?=[A-Z])/)) {
    let line = '';
    for (const word of sentence.split(/ +/)) {
      if (line && line.length + 1 + word.length > 78) {
        lines.push(line);
        line = word;
      } else line = line ? `${line} ${word}` : word;
    }
    lines.push(line);
  }
  return lines.map((l) => (/^[.']/.test(l) ? `\\&${l}` : l)).join('\n');
}

/** "-S, --suffix <suf>" as "\fB\-S\fR, \fB\-\-suffix\fR \fIsuf\fR": flags bold, arguments italic. */
export function optionTerm(term: string): string {
  return term
    .split(/(, | )/)
    .map((part) => {
      if (part === ', ' || part === ' ') return part;
      const arg = /^[<[](.+?)(\.\.\.)?[>\]]$/.exec(part);
      if (arg) return `\\fI${escape(arg[1])}\\fR${arg[2] ?? ''}`;
      return `\\fB${escape(part)}\\fR`;
    })
    .join('');
}

const section = (name: string, ...paragraphs: string[]) => [`.SH ${name}`, ...paragraphs.flatMap((p, i) => (i ? ['.PP', p] : [p]))];
/** A tagged paragraph: the tag on its own line, the text indented below it. */
const tagged = (tag: string, text: string) => ['.TP', tag, text];

const STRATEGIES: readonly [string, string][] = [
  [
    'beside',
    'There is room for the .gz. It is streamed to a private temporary beside the output while the file is read, each block read back and inflated, then fsynced, given the original\'s owner, mode and times, renamed to FILE.gz, and only then is FILE removed. No risk at any point; neither file is held whole in memory.',
  ],
  [
    'stash',
    'No room. The file is compressed in memory and the .gz is first written and verified in a stash on another filesystem, with a manifest. Then FILE is overwritten from offset 0 with the compressed bytes, fsynced, cut to length, verified and renamed to FILE.gz; the stash is removed. After a crash, a rerun (or --resume) finishes from the stash. On btrfs and zfs the file is unlinked once the stash is safe and the .gz written anew.',
  ],
  [
    'in-place',
    'No room and no other filesystem: as stash without the copy. For the seconds of the rewrite the only complete copy is in memory; signals are held, but a kill -9 or a power cut then loses the file. It runs only after a warning and --yes (or a "y" at a terminal); --safe refuses it.',
  ],
  [
    'block mode',
    '-m SIZE, or by itself when the file and its .gz do not fit in memory and there is no room beside: tail first, each block compressed as one gzip member into a part file of a journal folder beside the file, fsynced and recorded, and only then cut off the file with ftruncate. The parts are then appended into the .gz in order. Memory stays near two blocks; a run killed at any moment resumes from the file\'s size and the journal.',
  ],
];

const SAFETY = [
  'The original\'s bytes go only after the .gz, or a stash copy, is durable and has been read back and decompressed to exactly the bytes that were read. What a killed run leaves (a temporary, a stash, a journal) is found by the next run on the file, reported, and finished or cleaned. Records are named by the file\'s inode number and birth time, which a remount keeps, and act only when the file proves them its own (owner, filesystem type, and the original\'s CRC-32 or the .gz\'s first bytes, as the recorded step says); a record that does not is reported and left alone, and every compressing run names the records left with what to do. --simulate on a file with an unfinished job prints the steps a rerun takes.',
  'Passed over with a warning (exit status 2, as gzip) and nothing touched: a directory without -r, a FIFO, a device, a socket. Refused, with exit status 1 and nothing touched: a missing file, a symlink, an unreadable file, a file with other hard links (without -f), a file that changed while it was read, and a file another process holds open (each PID, command and fd is named; stop the service or use --copytruncate). Also a file whose holders could not all be checked (not root, /proc mounted hidepid=2): the processes not inspected are counted, and only root, -k, --copytruncate or --assume-unheld go ahead.',
  'As root in folders other users can write: the operand\'s folder is reached following only symlinks owned by root or the user, then held open by descriptor, so that every rename and unlink lands in the folder that was checked; nothing outside it is touched.',
  'SIGINT outside a critical step removes the temporaries and leaves the file untouched. SIGHUP never stops a run. Where consent is needed and no terminal can give it, the run refuses rather than waits.',
];

const ENVIRONMENT: readonly [string, string][] = [
  ['GZIP', 'options read before the command line\'s, as gzip 1.12 reads them: only -n -N -q -v -1 ... -9 --fast --best; any other option there refuses the run (exit 1).'],
  ['CMEMGZIP_STATE_DIRS', 'colon-separated folders that replace the default places of the safety copy, notes and journals (see FILES).'],
  ['NO_COLOR', 'when set, no colour, as with -b.'],
];

const FILES: readonly [string, string][] = [
  ['/var/tmp, /tmp, /run (root) or /run/user/UID, /dev/shm', 'where the safety copy (stash) goes when --stash is not given, and where notes and journals are found again: of those on another filesystem with room, a disk before RAM. CMEMGZIP_STATE_DIRS (colon-separated) replaces the list.'],
  ['PLACE/cmemgzip-UID/', 'the user\'s own state folder in each place: mode 0700, owned by the user, checked at each use; one that is not is reported and never used. Its manifests hold facts (inode, birth time, owner, filesystem type, sizes, CRC-32, the run\'s PID with its start time and boot); the file name they hold is shown, never acted on.'],
  ['.INODE-BIRTH.cmemgzip-blocks/', 'block mode\'s journal folder beside FILE, named by its inode number and birth time (so it follows FILE through a rename): the part files and their manifest, removed once the .gz is whole.'],
  ['DIR/.cmemgzip-reserve', 'the reserve of --reserve: root\'s, mode 0600, its zeros allocated. A run with no room beside borrows from it and grows it back from the space freed; its record is reserves.json in the state folder of the first place above.'],
  ['.FILE.cmemgzip-source', 'FILE itself while block mode cuts it: moved off its name before the first cut, so that a writer appending by name starts a new FILE instead of losing a line to a cut. A rerun or cmemgzip --resume FILE finishes the job from it; -r passes it over.'],
  ['.FILE.gz.cmemgzip-tmp', 'the temporary beside the output while the .gz is streamed, renamed to FILE.gz once verified.'],
];

const GUARD = [
  'The Debian package installs cmemgzip-guard.service and cmemgzip-guard.timer, disabled. systemctl enable --now cmemgzip-guard.timer starts it: every 5 minutes the service runs cmemgzip --until 80% --above 90% /var/log, which does nothing while the filesystem is at most 90% used as df counts it, and above that compresses rotated logs, with no loss window, until it is at most 80% used. Before each run it keeps a reserve of 256M in /var/log (cmemgzip --reserve 256M /var/log), which lets it write beside at 0 bytes free.',
  'To tune it, set CMEMGZIP_GUARD_ARGS in /etc/default/cmemgzip-guard (for example CMEMGZIP_GUARD_ARGS="--until 70% --above 85% /var/log /srv/logs") and the reserve in CMEMGZIP_GUARD_RESERVE (SIZE and folder; "0 /var/log" for none), and change how often with systemctl edit cmemgzip-guard.timer. Exit status 2, a target that could not be met, marks the service failed; journalctl -u cmemgzip-guard shows each run.',
  'logrotate cannot compress on a full disk. The recipe /usr/share/doc/cmemgzip/examples/logrotate-full-disk.conf keeps it working there: compress with delaycompress, and a postrotate script that runs cmemgzip on the file just rotated.',
];

/** The whole page. date is the page's date (YYYY-MM-DD), version the package's. */
export function manPage(program: Command, version: string, date: string): string {
  const help = program.createHelp();
  const options = help.visibleOptions(program).flatMap((o) => tagged(optionTerm(help.optionTerm(o)), roff(help.optionDescription(o))));
  const lines = [
    `.TH CMEMGZIP 1 ${date} "cmemgzip ${version}" "User Commands"`,
    ...section('NAME', roff(`${program.name()} - ${program.description()}`)),
    ...section('SYNOPSIS', `.B cmemgzip\n[\\fIoptions\\fR] \\fIFILE\\fR...`),
    ...section(
      'DESCRIPTION',
      roff('gzip fails on a full disk: it needs room for FILE.gz before it removes FILE. cmemgzip compresses in memory when it must, frees the original\'s space and writes FILE.gz in gzip\'s own format (RFC 1952), which gzip, zcat, zgrep, pigz and every gzip library read. The .gz is read back and checked against the original bytes before the original\'s bytes go.'),
      roff('Sizes take K, M, G, T, binary (1M is 1,048,576 bytes). Short options combine as in gzip (-kv9); -1 to -9 set the level, the last one given wins.'),
    ),
    ...section('OPTIONS', ...[options.join('\n')]),
    ...section('STRATEGIES', [roff('The plan comes from real figures: free space, memory (capped by a cgroup limit), the filesystem type and the compressed size. It is a numbered list of steps, each with where complete copies of FILE\'s bytes are while it runs (FILE, the .gz, block mode\'s parts, a safety copy on another disk or in RAM, this process\'s memory), and two loss windows read off it: the steps a kill -9 can lose the file in, and those a power cut or reboot can. That list is what runs: one executor takes its steps in order, checks before each that FILE is still what was read, and on a failure undoes what the steps since the last rename define, in reverse, then says where FILE\'s bytes are. --simulate prints it and stops; -v shows each step as the run reaches it; --json carries the list as steps, with each step\'s milliseconds.'), ...STRATEGIES.flatMap(([name, text]) => tagged(`\\fB${escape(name)}\\fR`, roff(text)))].join('\n')),
    ...section('SAFETY', ...SAFETY.map(roff)),
    ...section('GUARD AND LOGROTATE', ...GUARD.map(roff)),
    ...section('EXIT STATUS', EXIT_CODES.flatMap((e) => tagged(`\\fB${e.code}\\fR`, roff(e.meaning))).join('\n')),
    ...section('ENVIRONMENT', ENVIRONMENT.flatMap(([name, text]) => tagged(`\\fB${name}\\fR`, roff(text))).join('\n')),
    ...section('FILES', FILES.flatMap(([name, text]) => tagged(`\\fI${escape(name)}\\fR`, roff(text))).join('\n')),
    ...section('EXAMPLES', EXAMPLES.flatMap((e) => tagged(`\\fB${escape(e.command)}\\fR`, roff(e.does))).join('\n')),
    ...section('SEE ALSO', '.BR gzip (1),\n.BR pigz (1),\n.BR logrotate (8),\n.BR lsof (8)'),
  ];
  return `${lines.join('\n')}\n`;
}
