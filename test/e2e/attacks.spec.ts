// Another local user (uid 65534, through setpriv) plants files, symlinks and manifests wherever root's
// run looks, or swaps a folder mid-run: the run compresses its operand or refuses with FILE intact, and
// no other file is read into the attacker's reach, written, or deleted (a decoy tree is hashed before and after).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stateFolderName } from '../../src/probe/own-folder.js';
import { fillLeaving, gunzipHash, mountFs, mountSkipReason, recordKeyOf, run, sha256, stashManifestFor, sleep, treeHash, warnSkip, writeLog, type Mounted } from './helpers.js';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
const canDrop = () => spawnSync(NOBODY[0], [...NOBODY.slice(1), 'true']).status === 0;
const hasStrace = () => spawnSync('strace', ['-V']).status === 0;
const skip = mountSkipReason() ?? (canDrop() ? undefined : 'setpriv cannot drop to uid 65534: the attack tests are SKIPPED');

/** Runs a shell snippet as the attacker. */
const asAttacker = (script: string) => execFileSync(NOBODY[0], [...NOBODY.slice(1), 'sh', '-c', script], { stdio: 'pipe' });

describe.skipIf(warnSkip(skip))('attacks by another local user on a root run', () => {
  let disk: Mounted;
  let shared: Mounted;
  let spare: Mounted;
  let log: string;
  let secret: string;
  let decoys: string;
  const state = () => ({ CMEMGZIP_STATE_DIRS: shared.dir });

  beforeAll(() => {
    disk = mountFs('tmpfs', 32);
    // The world-writable RAM folder every user shares, as /dev/shm is (tmpfs roots are 1777).
    shared = mountFs('tmpfs', 16);
    spare = mountFs('tmpfs', 16);
  });
  afterAll(() => [disk, shared, spare].forEach((m) => m?.unmount()));
  afterEach(() => {
    for (const m of [disk, shared, spare]) for (const name of fs.readdirSync(m.dir)) fs.rmSync(path.join(m.dir, name), { recursive: true, force: true });
  });

  /** A root-owned log and, on the same disk, a root-only folder of secrets the attacker wants. */
  function prepare(room?: number): string {
    decoys = path.join(disk.dir, 'root-only');
    fs.mkdirSync(decoys, { mode: 0o700 });
    secret = path.join(decoys, 'shadow');
    fs.writeFileSync(secret, 'root:$6$secret-hash:19000:0:99999:7:::\n', { mode: 0o600 });
    fs.writeFileSync(path.join(decoys, 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n', { mode: 0o644 });
    fs.writeFileSync(path.join(decoys, 'victim'), 'keep me\n', { mode: 0o644 });
    log = path.join(disk.dir, 'app.log');
    const hash = writeLog(log, 2 * 2 ** 20);
    if (room !== undefined) fillLeaving(disk.dir, room);
    return hash;
  }

  const key = () => recordKeyOf(log);

  function expectCompressed(hash: string) {
    expect(fs.existsSync(log)).toBe(false);
    expect(gunzipHash(`${log}.gz`)).toBe(hash);
    expect(fs.statSync(`${log}.gz`).uid).toBe(0);
  }

  it('a forged journal in the shared folder (old and new layout) naming a root-only secret is never followed', () => {
    const hash = prepare();
    const forged = (parts: object[]) =>
      JSON.stringify({ version: 3, kind: 'blocks', ...stashManifestFor(log, {}), size: fs.statSync(log).size, blockSize: 2 ** 20, level: 6, storeName: true, uid: 0, gid: 0, mode: 0o100644, atimeMs: 0, mtimeMs: 0, parts, assembledParts: 0, assembledBytes: 0, pid: 1, createdAt: '', file: log, outputPath: path.join(shared.dir, 'stolen') });
    const part = { index: 0, offset: 0, length: fs.statSync(log).size, crc: 0, compressedSize: 10, path: secret };
    for (const folder of ['cmemgzip-stash', stateFolderName()])
      asAttacker(`mkdir -p -m 700 ${shared.dir}/${folder}/${key()}.blocks && printf '%s' '${forged([part])}' > ${shared.dir}/${folder}/${key()}.blocks/manifest.json && ln -s ${secret} ${shared.dir}/${folder}/${key()}.blocks/part-00000000.gz`);
    const before = { decoys: treeHash(decoys), shared: treeHash(shared.dir) };
    const r = run([log], { env: state() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cannot hold cmemgzip's state: it is owned by uid 65534/);
    expectCompressed(hash);
    expect(treeHash(decoys)).toEqual(before.decoys);
    expect(treeHash(shared.dir)).toEqual(before.shared);
  });

  it("a forged 'rewriting' stash naming an output of the attacker's choosing creates nothing there", () => {
    const hash = prepare(0);
    const st = fs.statSync(log);
    const manifest = JSON.stringify(stashManifestFor(log, { size: st.size, crc: 0, compressedSize: 10, file: log, outputPath: path.join(shared.dir, 'owned-by-root') }));
    for (const folder of ['cmemgzip-stash', stateFolderName()])
      asAttacker(`mkdir -p -m 700 ${shared.dir}/${folder} && printf '%s' '${manifest}' > ${shared.dir}/${folder}/${key()}.json && echo x > ${shared.dir}/${folder}/${key()}.gz`);
    const before = treeHash(shared.dir);
    // At 0 bytes free a stash is wanted, and the only place offered is the attacker's: in place, with consent.
    const r = run(['--yes', log], { env: state() });
    expect(r.code, r.stderr).toBe(0);
    expectCompressed(hash);
    expect(treeHash(shared.dir)).toEqual(before);
    expect(fs.existsSync(path.join(shared.dir, 'owned-by-root'))).toBe(false);
  });

  it("a symlink planted as the state folder, with another at the manifest's temporary name, never gets written through", () => {
    const hash = prepare(0);
    const victim = path.join(decoys, 'victim');
    asAttacker(`mkdir -m 700 ${shared.dir}/mine && ln -s ${victim} ${shared.dir}/mine/${key()}.json.tmp && ln -s ${victim} ${shared.dir}/mine/${key()}.gz && ln -s ${shared.dir}/mine ${shared.dir}/${stateFolderName()}`);
    const before = treeHash(decoys);
    const refused = run([log], { env: state() });
    expect(refused.code, refused.stderr).toBe(1);
    expect(refused.stderr).toMatch(/cannot hold cmemgzip's state: it is a symlink/);
    expect(sha256(fs.readFileSync(log))).toBe(hash);
    const r = run(['--yes', log], { env: state() });
    expect(r.code, r.stderr).toBe(0);
    expectCompressed(hash);
    expect(treeHash(decoys)).toEqual(before);
  });

  it('a plain file where the state folder goes: that place is passed over, the next one is used', () => {
    const hash = prepare(0);
    asAttacker(`touch ${shared.dir}/${stateFolderName()}`);
    const r = run(['--json', log], { env: { CMEMGZIP_STATE_DIRS: `${shared.dir}:${spare.dir}` } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/cannot hold cmemgzip's state: it is not a folder; it was not used/);
    expect(JSON.parse(r.stdout.trim().split('\n')[0])).toMatchObject({ strategy: 'stash', stash: spare.dir });
    expectCompressed(hash);
    expect(fs.readdirSync(spare.dir)).toEqual([]);
  });

  it('--stash naming a folder another user owns is refused as a place for the safety copy; FILE intact', () => {
    const hash = prepare(0);
    const theirs = path.join(spare.dir, 'theirs');
    asAttacker(`mkdir -m 777 ${theirs}`);
    const r = run(['--stash', theirs, log], { env: state() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/cannot hold cmemgzip's state: its parent .*theirs: it is owned by uid 65534/);
    expect(sha256(fs.readFileSync(log))).toBe(hash);
    expect(fs.readdirSync(theirs)).toEqual([]);
  });

  it('a symlink owned by another user on the way to FILE is refused: nothing behind it is touched', () => {
    prepare();
    const home = path.join(disk.dir, 'home-u');
    fs.mkdirSync(home);
    fs.chownSync(home, 65534, 65534);
    asAttacker(`ln -s ${decoys} ${home}/logs`);
    const before = treeHash(decoys);
    const r = run([path.join(home, 'logs', 'passwd')], { env: state() });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/logs is a symlink owned by uid 65534/);
    expect(treeHash(decoys)).toEqual(before);
  });

  it.skipIf(warnSkip(hasStrace() ? undefined : 'no strace: the folder-swap race test is SKIPPED'))(
    'a folder swapped for a symlink to a root-owned folder between the checks and the unlink: only the operand is removed',
    async () => {
      prepare();
      const home = path.join(disk.dir, 'home-u');
      const logs = path.join(home, 'logs');
      fs.mkdirSync(logs, { recursive: true });
      fs.chownSync(home, 65534, 65534);
      fs.chownSync(logs, 65534, 65534);
      const operand = path.join(logs, 'passwd');
      const hash = writeLog(operand, 2 ** 20);
      const before = treeHash(decoys);
      // Every unlink waits 1.5 s before it runs: the attacker swaps the folder in that time.
      const child = spawn('strace', ['-f', '-qq', '-o', '/dev/null', '-e', 'trace=unlink,unlinkat', '-e', 'inject=unlink,unlinkat:delay_enter=1500000', process.execPath, path.resolve('dist/cmemgzip.js'), operand], {
        env: { ...process.env, ...state(), NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      const deadline = performance.now() + 20_000;
      while (!fs.existsSync(`${operand}.gz`) && performance.now() < deadline) await sleep(5);
      expect(fs.existsSync(`${operand}.gz`), stderr).toBe(true);
      asAttacker(`mv ${logs} ${home}/logs.moved && ln -s ${decoys} ${logs}`);
      const code = await exited;
      expect(code, stderr).toBe(0);
      expect(treeHash(decoys)).toEqual(before);
      const moved = path.join(home, 'logs.moved');
      expect(fs.readdirSync(moved)).toEqual(['passwd.gz']);
      expect(gunzipHash(path.join(moved, 'passwd.gz'))).toBe(hash);
    },
  );

  it.each([
    ['the .gz temporary', '.app.log.gz.cmemgzip-tmp', 'file'],
    ["block mode's journal folder", '.KEY.cmemgzip-blocks', 'dir'],
    ['the .gz itself', 'app.log.gz', 'file'],
  ])('a symlink planted at %s beside FILE, in a folder the attacker can write, is never written through', (_what, name, kind) => {
    const hash = prepare(0);
    fs.chmodSync(disk.dir, 0o1777);
    asAttacker(`ln -s ${kind === 'dir' ? decoys : path.join(decoys, 'victim')} ${path.join(disk.dir, name.replace('KEY', key()))}`);
    const before = treeHash(decoys);
    for (const args of [['--yes'], ['-m', '256K', '--yes', '--no-stash']]) {
      const r = run([...args, log], { env: state() });
      expect([0, 1, 2], r.stderr).toContain(r.code);
      if (r.code === 0) expectCompressed(hash);
      else expect(sha256(fs.readFileSync(log))).toBe(hash);
      expect(treeHash(decoys)).toEqual(before);
      if (r.code === 0) break;
    }
  });

  it("a .gz planted beside FILE holding FILE's very bytes is not taken as a finished run: FILE stays", () => {
    const hash = prepare();
    fs.chmodSync(disk.dir, 0o1777);
    const planted = path.join(disk.dir, 'app.log.gz');
    asAttacker(`gzip -c < ${log} > ${planted}`);
    const r = run([log], { env: state() });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/already exists/);
    expect(sha256(fs.readFileSync(log))).toBe(hash);
    expect(fs.statSync(planted).uid).toBe(65534);
  });

  it("-r walks past the tool's own journal folders and state folders", () => {
    prepare();
    const tree = path.join(disk.dir, 'tree');
    const journal = path.join(tree, '.1-2.cmemgzip-blocks');
    const own = path.join(tree, stateFolderName());
    fs.mkdirSync(journal, { recursive: true, mode: 0o700 });
    fs.mkdirSync(own, { mode: 0o700 });
    fs.writeFileSync(path.join(journal, 'manifest.json'), '{}');
    fs.writeFileSync(path.join(own, '1-2.json'), '{}');
    writeLog(path.join(tree, 'other.log'), 2 ** 16);
    const r = run(['-r', '-v', tree], { env: state() });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(journal)).toEqual(['manifest.json']);
    expect(fs.readdirSync(own)).toEqual(['1-2.json']);
    expect(fs.existsSync(path.join(tree, 'other.log.gz'))).toBe(true);
    expect(r.stderr + r.stdout).toMatch(/skipped .*cmemgzip-blocks: the journal of a cmemgzip block-mode run/);
  });
});
