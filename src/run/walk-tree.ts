// -r: the files below folder operands, in name order (by bytes), each marked with why it is passed over, if it
// is: already compressed (by suffix, or by content: gzip, xz, zstd...), a symlink, a special file, our own temporary,
// journal or state folder. Names are read as bytes, so that one that is not UTF-8 is found like any other.
import fs from 'node:fs';
import path from 'node:path';
import { compressionOfFd } from '../probe/compression-magic.js';
import { decode, fsPath } from '../fs/raw-names.js';
import { isJournalFolderName, journalBeside } from '../steps/journal.js';
import { identityAt } from '../probe/identity.js';
import { ownFileReason } from '../steps/own-names.js';
import { hiddenFor } from '../steps/hide-source.js';
import { strippedName } from './decompress-path.js';

export interface Entry {
  file: string;
  /** Why -r leaves it alone; undefined when it is to be processed. */
  ignore?: string;
  /** Its size when the walk listed it: what the pool counts it for (file-pool.ts), not what it plans with. */
  size?: number;
}

/** The compressed format the file's first bytes announce, whatever its name. */
function formatByContent(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(fsPath(file), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    return compressionOfFd(fd);
  } catch {
    return undefined; // unreadable: the run itself says why
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Why a regular file below a folder is passed over, for compression or for -d/-t/-l. */
function ignoreReason(file: string, opts: { decompress: boolean; suffix: string }): string | undefined {
  const base = path.basename(file);
  const own = ownFileReason(base);
  if (own) return own;
  const compressedName = strippedName(base, opts.suffix) !== undefined;
  if (opts.decompress) return compressedName ? undefined : 'no gzip suffix';
  if (compressedName) return 'already compressed (suffix)';
  const format = formatByContent(file);
  return format ? `already compressed (${format} data)` : undefined;
}

/** The tool's own folders are never walked into: a journal's parts and a stash are gzip data in flight. */
function ownFolder(name: string): string | undefined {
  if (isJournalFolderName(name)) return 'the journal of a cmemgzip block-mode run';
  if (/^cmemgzip-\d+$/.test(name)) return "cmemgzip's state folder (stashes, notes, journals)";
  return undefined;
}

function kindOf(st: fs.Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

function journalBesideIt(file: string): boolean {
  const id = identityAt(fsPath(file));
  return id !== undefined && fs.existsSync(fsPath(journalBeside(path.dirname(file), id).folder));
}

function* walkFolder(dir: string, opts: { decompress: boolean; suffix: string }): Generator<Entry> {
  let names: Buffer[];
  try {
    names = fs.readdirSync(fsPath(dir), { encoding: 'buffer' }).sort(Buffer.compare);
  } catch (err) {
    yield { file: dir, ignore: `cannot be read (${(err as NodeJS.ErrnoException).code})` };
    return;
  }
  const listed = new Set(names.map(decode));
  for (const raw of names) {
    const name = decode(raw);
    const file = path.join(dir, name);
    const st = fs.lstatSync(fsPath(file), { throwIfNoEntry: false });
    if (!st) continue; // gone since the listing
    // Block mode's file while it is cut: its job is finished by a run on FILE's name, which may be gone. Only
    // with its journal beside it: a name planted by hand would make -r fail on a FILE that never was.
    // The name is looked at first: only a hidden name can stand for FILE, and -r would otherwise look for a
    // journal beside every file (an lstat and a look more each).
    const hidden = st.isFile() && !opts.decompress ? hiddenFor(file) : undefined;
    const stoodFor = hidden !== undefined && journalBesideIt(file) ? hidden : undefined;
    if (stoodFor && !listed.has(path.basename(stoodFor))) {
      yield { file: stoodFor };
      continue;
    }
    const own = st.isDirectory() ? ownFolder(name) : undefined;
    if (own) yield { file, ignore: own };
    else if (st.isDirectory()) yield* walkFolder(file, opts);
    else if (!st.isFile()) yield { file, ignore: kindOf(st) };
    else yield { file, ignore: ignoreReason(file, opts), size: st.size };
  }
}

/** Operands that are folders (not symlinks to one) become what is below them; the others stay as given. */
export function* walkOperands(operands: readonly string[], opts: { decompress: boolean; suffix: string }): Generator<Entry> {
  for (const file of operands) {
    if (fs.lstatSync(fsPath(file), { throwIfNoEntry: false })?.isDirectory()) yield* walkFolder(file, opts);
    else yield { file };
  }
}
