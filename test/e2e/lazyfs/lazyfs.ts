// Mounts lazyfs.py (a FUSE filesystem that forgets, on command, what was not fsynced) over a fresh tmpfs and drives it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mountFs, mountSkipReason, sleep, type Mounted } from '../helpers.js';

const SCRIPT = path.join(import.meta.dirname, 'lazyfs.py');

/** Debian's fusepy is in the system's python3, which a pyenv or venv python3 on PATH may hide. */
function fusePython(): string | undefined {
  return ['/usr/bin/python3', 'python3'].find((py) => spawnSync(py, ['-c', 'import fusepy'], { stdio: 'ignore' }).status === 0);
}

/** Why the power-cut specs cannot run here, or undefined when they can. */
export function lazyfsSkipReason(): string | undefined {
  const noMount = mountSkipReason();
  if (noMount) return noMount;
  if (!fs.existsSync('/dev/fuse')) return 'NO /dev/fuse: the power-cut harness (FUSE) cannot mount; power-cut tests are SKIPPED';
  if (!fusePython()) return 'NO fusepy (apt-get install python3-fusepy fuse3): the power-cut harness cannot run; power-cut tests are SKIPPED';
  return undefined;
}

export interface LazyStatus {
  model: 'posix' | 'ext4';
  /** Boundary operations seen since the last cut or `log`: [op, path]. */
  ops: [string, string][];
  frozen: boolean;
  /** The trap went off: its caller was killed and the filesystem froze. */
  fired: boolean;
  used: number;
}

export interface LazyMount {
  dir: string;
  capacity: number;
  /** The live tree itself, under the mount: writing there skips FUSE (fast set-up), then `sync` makes it durable. */
  live: string;
  /** model posix|ext4 | sync | cut | cut writeback | freeze | trap N before|after | log (see lazyfs.py) */
  ctl(command: string): void;
  status(): LazyStatus;
  unmount(): Promise<void>;
}

const isMounted = (dir: string) => fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === dir && l.includes(' - fuse '));

/** A lazyfs of `capacity` bytes (what statfs reports, and where writes hit ENOSPC), its live data on a tmpfs of its own. */
export async function mountLazy(capacity: number): Promise<LazyMount> {
  const backing: Mounted = mountFs('tmpfs', Math.ceil((2 * capacity) / 2 ** 20) + 8);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-lazyfs-'));
  const child: ChildProcess = spawn(fusePython()!, [SCRIPT, backing.dir, dir, '--capacity', String(capacity)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; !isMounted(dir); waited += 20) {
    if (child.exitCode !== null || waited > 10_000) {
      child.kill('SIGKILL');
      backing.unmount();
      throw new Error(`lazyfs did not mount on ${dir}: ${stderr}`);
    }
    await sleep(20);
  }
  const ctlFile = path.join(dir, '.lazyfs-ctl');
  return {
    dir,
    capacity,
    live: path.join(backing.dir, 'live'),
    ctl(command) {
      try {
        fs.writeFileSync(ctlFile, command);
      } catch (err) {
        throw new Error(`lazyfs "${command}" failed: ${String(err)}\n${stderr}`);
      }
    },
    status: () => JSON.parse(fs.readFileSync(ctlFile, 'utf8')) as LazyStatus,
    async unmount() {
      spawnSync('umount', [dir]);
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null) {
        spawnSync('umount', ['-l', dir]);
        child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
      backing.unmount();
    },
  };
}
