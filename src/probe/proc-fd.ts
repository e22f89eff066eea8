// An operand /proc/PID/fd/N: which deleted file it reaches, refused clearly when it is anything else.
import fs from 'node:fs';
import { CmemError } from '../errors.js';
import { deletedName } from './deleted-open.js';
import { factsFromStats, type FileFacts } from './file.js';
import { mountOf, probeFilesystem, readMounts, type FsFacts } from './filesystem.js';
import { decode } from '../fs/raw-names.js';

export const PROC_FD = /^\/proc\/(\d+)\/fd\/(\d+)$/;

export const isProcFd = (operand: string): boolean => PROC_FD.test(operand);

export interface ProcFdTarget {
  link: string;
  pid: number;
  fd: number;
  /** The deleted file's facts, under the name it had. */
  facts: FileFacts;
  fs: FsFacts;
}

/** The filesystem of a deleted file: the mount its old name lies in, when that is indeed its device. */
function filesystemOf(link: string, facts: FileFacts): FsFacts {
  const mount = mountOf(facts.path, readMounts());
  const found = mount && probeFilesystem(mount.mountPoint);
  if (found && found.dev === facts.dev) return found;
  throw new CmemError('IO', `${link}: cannot tell which mounted filesystem holds ${facts.path}`, 'is that filesystem still mounted? see cmemgzip --deleted');
}

function probeError(err: unknown, link: string, pid: string): CmemError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM')
    return new CmemError('UNREADABLE', `${link}: permission denied (process ${pid} belongs to another user)`, 'run as root or as the owner of that process');
  if (code === 'ENOENT') return new CmemError('ENOENT', `${link}: no process ${pid}, or it has no such descriptor`, 'list them with cmemgzip --deleted');
  return new CmemError('IO', `${link}: ${(err as Error).message}`);
}

export function probeProcFd(link: string): ProcFdTarget {
  const m = PROC_FD.exec(link);
  if (!m) throw new CmemError('BAD_OPTION', `${link} is not of the form /proc/PID/fd/N`);
  let target: string;
  let st: fs.BigIntStats;
  try {
    target = decode(fs.readlinkSync(link, { encoding: 'buffer' }));
    st = fs.statSync(link, { bigint: true });
  } catch (err) {
    throw probeError(err, link, m[1]);
  }
  const name = deletedName(target);
  const regular = st.isFile() && target.startsWith('/') && !target.startsWith('/memfd:');
  if (!regular)
    throw new CmemError('NOT_REGULAR', `${link} is ${target}, not a deleted regular file; ignored`, 'list the deleted files held open with cmemgzip --deleted');
  if (name === undefined)
    throw new CmemError('NOT_DELETED', `${link} is ${target}, which is not deleted`, `compress it by name: cmemgzip --copytruncate ${target}`);
  const facts = factsFromStats(name, st);
  return { link, pid: Number(m[1]), fd: Number(m[2]), facts, fs: filesystemOf(link, facts) };
}
