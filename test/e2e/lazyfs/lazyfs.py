#!/usr/bin/env python3
# A FUSE filesystem that forgets, on command, everything not yet made durable: the power-cut harness.
"""
lazyfs.py BACKING MOUNTPOINT --capacity BYTES

Passes every operation through to BACKING (which always holds the *live* state, what processes see)
and remembers, in this process's memory, the *durable* state: what a disk would still hold if the
power went now. The command `cut` rewrites BACKING to that durable state, as LazyFS does for Jepsen.

Two models of what an fsync makes durable; `posix` (the default) is the strict reading, which every
filesystem satisfies at least:
- A file's data, size and attributes are durable as of its last fsync or fdatasync. A new file's
  durable content is empty (ext4's zero-length files after a crash); an overwrite, append or truncate
  not yet fsynced is undone by a cut.
- A name (create, link, mkdir, rename, unlink, rmdir, symlink) is durable once its folder is fsynced,
  and only then. fsync of a file does not make its name durable. An unlinked file whose name is still
  durable comes back, the same inode with its durable content (removed inodes are kept alive aside).
- `ext4` (data=ordered, delayed allocation) adds its journal: names and other metadata go into one
  running transaction, and an fsync of a file or folder changed since the last commit commits it, so
  every name made so far, anywhere on the filesystem, becomes durable with it. Data still needs its own
  file's fsync (delayed allocation: other files' pages are not in the transaction). The 5-second
  periodic commit is left out: a cut may land before it. A tool correct under `posix` is correct on
  every filesystem; one correct only under `ext4` relies on ext4's (and xfs's) journal.
- `cut writeback` is the other extreme for data: every page written so far had reached the disk before
  the power went (the kernel writes dirty pages back whenever it likes), while names not fsynced are
  still undone. A real cut lands between the two: `cut` undoes all unsynced data, `cut writeback` none.
- Space: the filesystem has CAPACITY bytes; statfs reports it, less the live files' sizes rounded up to
  4 KiB, and a write past it fails with ENOSPC. An unlinked file's space comes back at the unlink
  (ext4 waits for the last close: no run here keeps a deleted file open).

Control, through a file no listing shows, MOUNTPOINT/.lazyfs-ctl (a write returns once it is done):
  model posix|ext4  what an fsync makes durable (above)
  sync              everything live is durable now (after preparing a test's files); forget the log
  cut [writeback]   rewrite BACKING to the durable state; unfreeze; clear the trap and the log
  freeze            from now on every operation but this file's fails with EIO (the instant of a cut)
  trap N before|after   at the Nth boundary operation from now (create, mkdir, link, symlink, rename,
                    unlink, rmdir, truncate, fsync, fsyncdir), kill -9 its caller just before or just
                    after it takes effect, and freeze
  log               forget the boundary operations seen so far
Reading it returns JSON: {"model": "posix", "ops": [[op, path], ...], "frozen": bool, "fired": bool, "used": bytes}.
Kernel caches are off (direct_io, zero timeouts), so after a cut nothing stale is served: the cut is
applied in place, under the same mount (and so the same st_dev, which the tool's records name).
"""
import errno
import fcntl
import json
import os
import shutil
import signal
import stat
import sys
import threading

from fusepy import FUSE, FuseOSError, Operations, fuse_get_context

CTL = '/.lazyfs-ctl'
CTL_FH = 1 << 40
BLOCK = 4096
BOUNDARIES = {'create', 'mkdir', 'link', 'symlink', 'rename', 'unlink', 'rmdir', 'truncate', 'fsync', 'fsyncdir'}


def round_up(n):
    return -(-n // BLOCK) * BLOCK


class Snapshot:
    """A file's durable content and attributes."""

    def __init__(self, content, st):
        self.content = content
        self.mode = stat.S_IMODE(st.st_mode) if st else 0o600
        self.uid = st.st_uid if st else 0
        self.gid = st.st_gid if st else 0
        self.times = (st.st_atime_ns, st.st_mtime_ns) if st else None


class LazyFS(Operations):
    use_ns = True

    def __init__(self, top, capacity):
        self.top = top
        self.live = os.path.join(top, 'live')
        self.stage = os.path.join(top, 'stage')
        # Removed inodes, kept alive (by their inode number) until their removal is durable or cut away.
        self.keep = os.path.join(top, 'keep')
        os.makedirs(self.live, exist_ok=True)
        os.makedirs(self.keep, exist_ok=True)
        self.capacity = capacity
        self.mutex = threading.RLock()
        self.data = {}  # ino -> Snapshot: files changed since their last fsync
        self.names = {}  # dir ino -> {name: ino}: folders changed since their last fsync
        self.model = 'posix'
        self.touched = set()  # ext4: inodes changed since the journal's last commit
        self.ops = []
        self.trap = None  # [count, 'before' | 'after']
        self.frozen = False
        self.fired = False
        self.ctl_status = b''  # what a read of the control file returns: the status when it was opened

    # --- the durable model -------------------------------------------------------------------
    def full(self, path):
        return self.live + path

    def entries(self, dirpath):
        out = {}
        for e in os.scandir(dirpath):
            st = e.stat(follow_symlinks=False)
            out[e.name] = st.st_ino
        return out

    def keep_names(self, path):
        """Before a folder's entries change: remember them as durable, unless already remembered."""
        st = os.lstat(self.full(path))
        self.touched.add(st.st_ino)
        if st.st_ino not in self.names:
            self.names[st.st_ino] = self.entries(self.full(path))
        return st.st_ino

    def keep_data(self, ino, full):
        """Before a file's data or attributes change: remember its durable content, unless already remembered."""
        self.touched.add(ino)
        if ino not in self.data:
            with open(full, 'rb') as f:
                self.data[ino] = Snapshot(f.read(), os.fstat(f.fileno()))

    def keep_attrs(self, full):
        if os.path.isfile(full) and not os.path.islink(full):
            self.keep_data(os.lstat(full).st_ino, full)

    def keep_data_fd(self, fh):
        st = os.fstat(fh)
        # Through /proc: the caller's descriptor may be write-only.
        self.keep_data(st.st_ino, f'/proc/self/fd/{fh}')
        return st

    def remove(self, path):
        """unlink or rmdir: an inode losing its last name (or a folder) moves to KEEP, so a cut can bring it back as itself."""
        full = self.full(path)
        st = os.lstat(full)
        if stat.S_ISDIR(st.st_mode):
            if os.listdir(full):
                raise FuseOSError(errno.ENOTEMPTY)
            os.rename(full, os.path.join(self.keep, f'd{st.st_ino}'))
        elif st.st_nlink == 1:
            os.rename(full, os.path.join(self.keep, str(st.st_ino)))
        else:
            os.unlink(full)

    def used(self):
        total = 0
        for dirpath, dirnames, filenames in os.walk(self.live):
            for n in filenames:
                st = os.lstat(os.path.join(dirpath, n))
                total += round_up(st.st_size) // max(st.st_nlink, 1)
            total += BLOCK * len(dirnames)
        return total

    def room_for(self, fh_or_path, end):
        st = os.fstat(fh_or_path) if isinstance(fh_or_path, int) else os.lstat(fh_or_path)
        needed = round_up(end) - round_up(st.st_size)
        if needed > 0 and self.used() + needed > self.capacity:
            raise FuseOSError(errno.ENOSPC)

    def made_durable(self, pending, ino):
        """fsync of a file (pending: self.data) or a folder (self.names); under ext4, also the journal's commit."""
        pending.pop(ino, None)
        if self.model == 'ext4' and ino in self.touched:
            self.names.clear()
            self.touched.clear()

    def sync_all(self):
        self.touched.clear()
        self.data.clear()
        self.names.clear()
        shutil.rmtree(self.keep, ignore_errors=True)
        os.makedirs(self.keep)

    def inode_paths(self, ino):
        """Where a cut finds a file by its inode number: linked from the live tree, or kept since its removal."""
        return [os.path.join(self.stage, str(ino)), os.path.join(self.keep, str(ino))]

    def cut(self, writeback):
        """Rewrites the live tree to the durable one: names first, top-down, then content."""
        shutil.rmtree(self.stage, ignore_errors=True)
        os.makedirs(self.stage)
        where = {}  # ino -> a live path
        for dirpath, dirnames, filenames in os.walk(self.live):
            for n in dirnames + filenames:
                p = os.path.join(dirpath, n)
                where.setdefault(os.lstat(p).st_ino, p)
        for ino, p in where.items():
            if not os.path.isdir(p) or os.path.islink(p):
                os.link(p, os.path.join(self.stage, str(ino)), follow_symlinks=False)

        def durable_entries(dino, dpath):
            return self.names[dino] if dino in self.names else self.entries(dpath)

        def build(dpath, dino):
            want = durable_entries(dino, dpath)
            for name, ino in self.entries(dpath).items():
                if want.get(name) != ino:
                    p = os.path.join(dpath, name)
                    if os.path.isdir(p) and not os.path.islink(p):
                        os.rename(p, os.path.join(self.stage, f'd{ino}'))
                    else:
                        os.unlink(p)
            for name, ino in want.items():
                p = os.path.join(dpath, name)
                if os.path.lexists(p):
                    continue
                dirs = [os.path.join(self.stage, f'd{ino}'), os.path.join(self.keep, f'd{ino}')]
                if ino in where and os.path.isdir(where[ino]) and not os.path.islink(where[ino]):
                    dirs.append(where[ino])
                found_dir = next((d for d in dirs if os.path.isdir(d)), None)
                found = next((f for f in self.inode_paths(ino) if os.path.lexists(f)), None)
                if found_dir:
                    os.rename(found_dir, p)
                elif found:
                    os.link(found, p, follow_symlinks=False)
                else:
                    raise RuntimeError(f'lazyfs: durable name {p} names inode {ino}, which was never seen')
            for name, ino in want.items():
                p = os.path.join(dpath, name)
                if os.path.isdir(p) and not os.path.islink(p):
                    build(p, ino)

        build(self.live, os.lstat(self.live).st_ino)
        if not writeback:
            for ino, snap in self.data.items():
                for staged in self.inode_paths(ino):
                    if os.path.isfile(staged) and not os.path.islink(staged):
                        with open(staged, 'r+b') as f:
                            f.truncate(0)
                            f.write(snap.content)
                        restore_attrs(staged, snap)
                        break
        shutil.rmtree(self.stage, ignore_errors=True)
        self.sync_all()
        self.frozen = False
        self.fired = False
        self.trap = None
        self.ops = []

    # --- boundaries: the trap and the log ------------------------------------------------------
    def boundary(self, op, path, act):
        """Runs act() as one boundary operation, killing the caller around it when the trap says so."""
        self.ops.append([op, path])
        fire = None
        if self.trap is not None:
            self.trap[0] -= 1
            if self.trap[0] == 0:
                fire = self.trap[1]
        if fire == 'before':
            self.fire()
            raise FuseOSError(errno.EIO)
        result = act()
        if fire == 'after':
            self.fire()
        return result

    def fire(self):
        os.kill(fuse_get_context()[2], signal.SIGKILL)
        self.frozen = True
        self.fired = True

    def guard(self):
        if self.frozen:
            raise FuseOSError(errno.EIO)

    def control(self, text):
        words = text.split()
        if not words:
            return
        cmd = words[0]
        if cmd == 'sync':
            self.sync_all()
            self.ops = []
        elif cmd == 'cut':
            self.cut(writeback=words[1:] == ['writeback'])
        elif cmd == 'freeze':
            self.frozen = True
        elif cmd == 'trap' and len(words) == 3 and words[2] in ('before', 'after') and int(words[1]) > 0:
            self.trap = [int(words[1]), words[2]]
            self.fired = False
        elif cmd == 'model' and words[1:] in (['posix'], ['ext4']):
            self.model = words[1]
        elif cmd == 'log':
            self.ops = []
        else:
            raise FuseOSError(errno.EINVAL)

    def status(self):
        return json.dumps({'model': self.model, 'ops': self.ops, 'frozen': self.frozen, 'fired': self.fired, 'used': self.used()}).encode()

    # --- FUSE operations ----------------------------------------------------------------------
    def __call__(self, op, *args):
        with self.mutex:
            try:
                return super().__call__(op, *args)
            except FuseOSError:
                raise
            except OSError as e:
                raise FuseOSError(e.errno or errno.EIO)

    def getattr(self, path, fh=None):
        if path == CTL:
            return {'st_mode': stat.S_IFREG | 0o600, 'st_nlink': 1, 'st_size': len(self.ctl_status), 'st_ino': 1}
        st = os.fstat(fh) if fh is not None and fh != CTL_FH else os.lstat(self.full(path))
        keys = ('st_mode', 'st_ino', 'st_nlink', 'st_uid', 'st_gid', 'st_size', 'st_blocks', 'st_blksize',
                'st_atime_ns', 'st_mtime_ns', 'st_ctime_ns')
        attrs = {k.replace('_ns', ''): getattr(st, k) for k in keys}
        return attrs

    def readdir(self, path, fh):
        return ['.', '..'] + os.listdir(self.full(path))

    def readlink(self, path):
        return os.readlink(self.full(path))

    def access(self, path, amode):
        if path != CTL and not os.access(self.full(path), amode):
            raise FuseOSError(errno.EACCES)
        return 0

    def statfs(self, path):
        sv = os.statvfs(self.live)
        free = max(self.capacity - self.used(), 0) // BLOCK
        return {'f_bsize': BLOCK, 'f_frsize': BLOCK, 'f_blocks': self.capacity // BLOCK, 'f_bfree': free,
                'f_bavail': free, 'f_files': sv.f_files, 'f_ffree': sv.f_ffree, 'f_favail': sv.f_favail,
                'f_namemax': 255}

    def mkdir(self, path, mode):
        self.guard()
        self.keep_names(os.path.dirname(path))

        def act():
            os.mkdir(self.full(path), mode)
            self.names[os.lstat(self.full(path)).st_ino] = {}
            self.touched.add(os.lstat(self.full(path)).st_ino)
        return self.boundary('mkdir', path, act)

    def rmdir(self, path):
        self.guard()
        self.keep_names(os.path.dirname(path))
        return self.boundary('rmdir', path, lambda: self.remove(path))

    def create(self, path, mode, fi=None):
        if path == CTL:
            return CTL_FH
        self.guard()
        self.keep_names(os.path.dirname(path))

        def act():
            fd = os.open(self.full(path), os.O_RDWR | os.O_CREAT | os.O_EXCL, mode)
            self.data[os.fstat(fd).st_ino] = Snapshot(b'', None)
            self.touched.add(os.fstat(fd).st_ino)
            return fd
        return self.boundary('create', path, act)

    def mknod(self, path, mode, dev):
        self.guard()
        self.keep_names(os.path.dirname(path))
        return self.boundary('create', path, lambda: os.mknod(self.full(path), mode, dev))

    def symlink(self, target, source):
        self.guard()
        self.keep_names(os.path.dirname(target))
        return self.boundary('symlink', target, lambda: os.symlink(source, self.full(target)))

    def link(self, target, source):
        self.guard()
        self.keep_names(os.path.dirname(target))
        return self.boundary('link', target, lambda: os.link(self.full(source), self.full(target)))

    def unlink(self, path):
        self.guard()
        self.keep_names(os.path.dirname(path))
        return self.boundary('unlink', path, lambda: self.remove(path))

    def rename(self, old, new):
        self.guard()
        self.keep_names(os.path.dirname(old))
        self.keep_names(os.path.dirname(new))

        def act():
            # The inode replaced loses its name: kept, as by an unlink (a folder replaced must be empty).
            if os.path.lexists(self.full(new)) and os.lstat(self.full(new)).st_ino != os.lstat(self.full(old)).st_ino:
                if os.path.isdir(self.full(old)) != os.path.isdir(self.full(new)):
                    raise FuseOSError(errno.EISDIR if os.path.isdir(self.full(new)) else errno.ENOTDIR)
                self.remove(new)
            os.rename(self.full(old), self.full(new))
        return self.boundary('rename', f'{old} -> {new}', act)

    def chmod(self, path, mode):
        self.guard()
        full = self.full(path)
        self.keep_attrs(full)
        os.chmod(full, mode)

    def chown(self, path, uid, gid):
        self.guard()
        full = self.full(path)
        self.keep_attrs(full)
        os.chown(full, uid, gid, follow_symlinks=False)

    def utimens(self, path, times=None):
        self.guard()
        full = self.full(path)
        self.keep_attrs(full)
        os.utime(full, ns=times, follow_symlinks=False)

    def truncate(self, path, length, fh=None):
        if path == CTL:
            return 0
        self.guard()
        target = fh if fh is not None else self.full(path)
        self.room_for(target, length)
        if fh is not None:
            self.keep_data_fd(fh)
        else:
            self.keep_data(os.lstat(target).st_ino, target)
        return self.boundary('truncate', path, lambda: os.truncate(target, length))

    def open(self, path, flags):
        if path == CTL:
            self.ctl_status = self.status()
            return CTL_FH
        self.guard()
        fd = os.open(self.full(path), flags & ~(os.O_CREAT | os.O_EXCL))
        if flags & os.O_TRUNC:
            self.keep_data_fd(fd)
        return fd

    def read(self, path, size, offset, fh):
        if fh == CTL_FH:
            return self.ctl_status[offset:offset + size]
        self.guard()
        return os.pread(fh, size, offset)

    def write(self, path, data, offset, fh):
        if fh == CTL_FH:
            self.control(data.decode())
            return len(data)
        self.guard()
        st = self.keep_data_fd(fh)
        appending = fcntl.fcntl(fh, fcntl.F_GETFL) & os.O_APPEND
        self.room_for(fh, (st.st_size if appending else offset) + len(data))
        return os.pwrite(fh, data, offset)

    def flush(self, path, fh):
        return 0

    def release(self, path, fh):
        if fh != CTL_FH:
            os.close(fh)
        return 0

    def fsync(self, path, datasync, fh):
        if fh == CTL_FH:
            return 0
        self.guard()
        return self.boundary('fsync', path, lambda: self.made_durable(self.data, os.fstat(fh).st_ino))

    def opendir(self, path):
        return 0

    def releasedir(self, path, fh):
        return 0

    def fsyncdir(self, path, datasync, fh):
        self.guard()
        return self.boundary('fsyncdir', path, lambda: self.made_durable(self.names, os.lstat(self.full(path)).st_ino))


def restore_attrs(path, snap):
    if snap is None or snap.times is None:
        return
    os.chown(path, snap.uid, snap.gid)
    os.chmod(path, snap.mode)
    os.utime(path, ns=snap.times)


def main():
    if len(sys.argv) != 5 or sys.argv[3] != '--capacity':
        sys.exit('usage: lazyfs.py BACKING MOUNTPOINT --capacity BYTES')
    fs = LazyFS(os.path.abspath(sys.argv[1]), int(sys.argv[4]))
    FUSE(fs, sys.argv[2], foreground=True, nothreads=False, use_ino=True, hard_remove=True, direct_io=True,
         default_permissions=True, attr_timeout=0, entry_timeout=0, negative_timeout=0, fsname='lazyfs')


if __name__ == '__main__':
    main()
