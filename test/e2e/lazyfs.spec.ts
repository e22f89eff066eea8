// The power-cut harness itself: what a cut keeps (what was fsynced, names whose folder was fsynced) and what it drops.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { warnSkip } from './helpers.js';
import { lazyfsSkipReason, mountLazy, type LazyMount } from './lazyfs/lazyfs.js';

const MiB = 2 ** 20;

function fsyncPath(p: string): void {
  const fd = fs.openSync(p, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes a file and makes both it and its name durable. */
function durable(p: string, content: string): void {
  fs.writeFileSync(p, content);
  fsyncPath(p);
  fsyncPath(path.dirname(p));
}

const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : undefined);

describe.skipIf(warnSkip(lazyfsSkipReason()))('lazyfs: a filesystem that forgets what was not fsynced', () => {
  let lazy: LazyMount;
  const at = (name: string) => path.join(lazy.dir, name);
  beforeAll(async () => {
    lazy = await mountLazy(8 * MiB);
  });
  afterAll(() => lazy?.unmount());
  beforeEach(() => {
    for (const name of fs.readdirSync(lazy.dir)) fs.rmSync(at(name), { recursive: true, force: true });
    lazy.ctl('sync');
  });

  it('keeps a file and its name once both are fsynced, and drops a new name whose folder was not', () => {
    fs.mkdirSync(at('sub'));
    durable(at('kept'), 'kept');
    fs.writeFileSync(at('unsynced'), 'no fsync at all');
    fs.writeFileSync(at('data-only'), 'fsynced data, folder not');
    fsyncPath(at('data-only'));
    fs.writeFileSync(at('sub/name-only'), 'folder fsynced, data not');
    fsyncPath(at('sub'));
    lazy.ctl('cut');
    expect(fs.readdirSync(lazy.dir).sort()).toEqual(['kept', 'sub']);
    expect(read(at('kept'))).toBe('kept');
    // ext4's zero-length file: the name was durable, the data never was.
    expect(read(at('sub/name-only'))).toBe('');
  });

  it('undoes an overwrite, an append and a truncate not yet fsynced, and keeps one that was', () => {
    for (const name of ['over', 'append', 'cut', 'synced']) durable(at(name), `${name} original`);
    const fd = fs.openSync(at('over'), 'r+');
    fs.writeSync(fd, 'OVER', 0);
    fs.closeSync(fd);
    fs.appendFileSync(at('append'), ' and more');
    fs.truncateSync(at('cut'), 3);
    fs.writeFileSync(at('synced'), 'synced new');
    fsyncPath(at('synced'));
    lazy.ctl('cut');
    expect([read(at('over')), read(at('append')), read(at('cut')), read(at('synced'))]).toEqual(['over original', 'append original', 'cut original', 'synced new']);
  });

  it('brings back an unlinked, replaced or renamed name until the folder is fsynced: the same inode, with its durable content', () => {
    durable(at('removed'), 'removed');
    durable(at('moved'), 'moved');
    durable(at('replaced'), 'replaced');
    durable(at('renamed-synced'), 'renamed-synced');
    const removedIno = fs.statSync(at('removed')).ino;
    fs.appendFileSync(at('removed'), ' and appended');
    fs.unlinkSync(at('removed'));
    fs.renameSync(at('moved'), at('moved.gz'));
    fs.writeFileSync(at('new'), 'new');
    fsyncPath(at('new'));
    fs.renameSync(at('new'), at('replaced'));
    const ino = fs.statSync(at('renamed-synced')).ino;
    lazy.ctl('log');
    fs.renameSync(at('renamed-synced'), at('renamed-synced.gz'));
    expect(lazy.status().ops).toContainEqual(['rename', '/renamed-synced -> /renamed-synced.gz']);
    // fsync of the folder makes every name in it durable at once, so this one cut keeps them all.
    lazy.ctl('cut');
    expect(fs.readdirSync(lazy.dir).sort()).toEqual(['moved', 'removed', 'renamed-synced', 'replaced']);
    expect([read(at('removed')), read(at('moved')), read(at('replaced'))]).toEqual(['removed', 'moved', 'replaced']);
    // The tool's records name a file by device and inode: after a real cut an unlinked file is back as itself.
    expect(fs.statSync(at('removed')).ino).toBe(removedIno);
    // A rename keeps the inode: it comes back under its old name as the same file.
    expect(fs.statSync(at('renamed-synced')).ino).toBe(ino);
    fs.renameSync(at('renamed-synced'), at('renamed-synced.gz'));
    fsyncPath(lazy.dir);
    lazy.ctl('cut');
    expect(fs.readdirSync(lazy.dir).sort()).toEqual(['moved', 'removed', 'renamed-synced.gz', 'replaced']);
  });

  it('with "cut writeback", keeps every byte written but still undoes names not fsynced', () => {
    durable(at('over'), 'original');
    const fd = fs.openSync(at('over'), 'r+');
    fs.writeSync(fd, 'OVER', 0);
    fs.closeSync(fd);
    fs.writeFileSync(at('unnamed'), 'x');
    lazy.ctl('cut writeback');
    expect(fs.readdirSync(lazy.dir)).toEqual(['over']);
    expect(read(at('over'))).toBe('OVERinal');
  });

  it('under the ext4 model, an fsync of a changed file commits every name made so far; of an unchanged one, none', () => {
    lazy.ctl('model ext4');
    try {
      durable(at('old'), 'old');
      fs.mkdirSync(at('folder'));
      fs.writeFileSync(at('folder/new'), 'new');
      fsyncPath(at('folder/new'));
      fs.writeFileSync(at('later'), 'later');
      fsyncPath(at('old'));
      lazy.ctl('cut');
      expect(fs.readdirSync(lazy.dir).sort()).toEqual(['folder', 'old']);
      expect(read(at('folder/new'))).toBe('new');
      expect(lazy.status().model).toBe('ext4');
    } finally {
      lazy.ctl('model posix');
    }
  });

  it('reports its capacity to statfs and refuses a write past it with ENOSPC', () => {
    const before = fs.statfsSync(lazy.dir);
    expect(before.blocks * before.bsize).toBe(8 * MiB);
    durable(at('big'), 'x'.repeat(6 * MiB));
    const after = fs.statfsSync(lazy.dir);
    expect((before.bavail - after.bavail) * after.bsize).toBe(6 * MiB);
    expect(() => fs.appendFileSync(at('big'), Buffer.alloc(3 * MiB))).toThrow(/ENOSPC/);
  });

  it('trap: kills its caller right after the Nth boundary operation and freezes until the cut', async () => {
    lazy.ctl('trap 3 after');
    // create, fsync, fsyncdir (kill -9 here), then a rename that must never happen.
    const script = `const fs = require('fs'); const p = process.argv[1];
      fs.writeFileSync(p + '/a', 'a'); const fd = fs.openSync(p + '/a', 'r'); fs.fsyncSync(fd);
      const d = fs.openSync(p, 'r'); fs.fsyncSync(d); fs.renameSync(p + '/a', p + '/b');`;
    const child = spawn(process.execPath, ['-e', script, lazy.dir], { stdio: 'ignore' });
    const { signal } = await new Promise<{ signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (_code, sig) => resolve({ signal: sig })));
    expect(signal).toBe('SIGKILL');
    const st = lazy.status();
    expect(st.fired && st.frozen).toBe(true);
    expect(st.ops.map(([op]) => op)).toEqual(['create', 'fsync', 'fsyncdir']);
    expect(() => fs.writeFileSync(at('c'), 'c')).toThrow(/EIO/);
    lazy.ctl('cut');
    expect(fs.readdirSync(lazy.dir)).toEqual(['a']);
    expect(read(at('a'))).toBe('a');
  });
});
