// The gzip command-line surface, checked against GNU gzip itself: the same input and arguments through
// both, then the same exit code, the same files left, and byte-identical content (every .gz on disk is
// compared by what the system's gzip -dc makes of it, so ours and gzip's compressors may differ).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fill,
  logData,
  mountFs,
  mountSkipReason,
  run,
  runBinary,
  runInTerminal,
  hasScript,
  sha256,
  treeHash,
  warnSkip,
  type Mounted,
} from './helpers.js';

const hasPigz = spawnSync('pigz', ['--version']).status === 0;
if (!hasPigz) console.warn('\n!!!!!!!!!! pigz is not installed: its cases are SKIPPED (apt-get install -y pigz) !!!!!!!!!!\n');

const A = logData(300_000);
const B = logData(700_000).subarray(123_456);
const STAMP = 1_600_000_000; // a fixed mtime for the originals, so that restored times can be compared

interface Ran {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

const gzip = (args: string[], cwd: string, input?: Buffer): Ran => {
  const r = spawnSync('gzip', args, { cwd, input: input ?? Buffer.alloc(0), timeout: 60_000, maxBuffer: 256 * 2 ** 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
};
const ours = (args: string[], cwd: string, input?: Buffer): Ran => runBinary(args, { cwd, input });
const gzipBytes = (data: Buffer, ...args: string[]) => execFileSync('gzip', ['-c', ...args], { input: data });
const pigzBytes = (data: Buffer) => execFileSync('pigz', ['-c', '-b', '64'], { input: data });
const gunzip = (gz: Buffer) => execFileSync('gzip', ['-dc'], { input: gz, maxBuffer: 256 * 2 ** 20 });

/**
 * What is on disk below dir, by relative name: a regular file by its content's hash, a .gz by the hash of what
 * the system's gzip decompresses it to (or of its raw bytes when gzip rejects it), so that our .gz and gzip's
 * compare equal when they hold the same bytes.
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(dir, p);
      if (st.isDirectory()) walk(p);
      else if (!st.isFile()) out[rel] = st.isSymbolicLink() ? 'symlink' : 'special';
      else {
        const bytes = fs.readFileSync(p);
        const asGz = /\.gz$/.test(name) ? spawnSync('gzip', ['-dc'], { input: bytes, maxBuffer: 256 * 2 ** 20 }) : undefined;
        out[rel] = asGz?.status === 0 ? `gz:${sha256(asGz.stdout)}` : `raw:${sha256(bytes)}`;
      }
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(warnSkip(mountSkipReason()))('gzip conformance: the same command through gzip and cmemgzip', () => {
  let m: Mounted;
  let n = 0;
  beforeAll(() => {
    m = mountFs('tmpfs', 96);
  });
  afterAll(() => m?.unmount());

  /** Two fresh folders holding the same files (all with mtime STAMP): one for gzip, one for cmemgzip. */
  function pair(files: Record<string, Buffer>): { g: string; c: string } {
    const base = path.join(m.dir, `case-${++n}`);
    const dirs = { g: path.join(base, 'g'), c: path.join(base, 'c') };
    for (const dir of Object.values(dirs)) {
      fs.mkdirSync(dir, { recursive: true });
      for (const [name, data] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), data);
        fs.utimesSync(path.join(dir, name), STAMP, STAMP);
      }
    }
    return dirs;
  }

  /** Runs args through both in their own folder; expects the same exit code and the same files left. */
  function both(files: Record<string, Buffer>, args: string[], input?: Buffer) {
    const { g, c } = pair(files);
    const rg = gzip(args, g, input);
    const rc = ours(args, c, input);
    expect(rc.code, `exit code: gzip said ${rg.stderr}; we said ${rc.stderr}`).toBe(rg.code);
    expect(snapshot(c), 'files left').toEqual(snapshot(g));
    return { g, c, rg, rc };
  }

  const gz = (data: Buffer, ...args: string[]) => gzipBytes(data, ...args);

  describe('-d, --decompress, --uncompress', () => {
    it('-d restores gzip-made files byte for byte and removes the .gz', () => {
      const { c } = both({ 'a.log.gz': gz(A), 'b.log.gz': gz(B) }, ['-d', 'a.log.gz', 'b.log.gz']);
      expect(fs.readFileSync(path.join(c, 'a.log')).equals(A)).toBe(true);
      expect(fs.existsSync(path.join(c, 'a.log.gz'))).toBe(false);
    });
    it('--decompress -k keeps the .gz', () => both({ 'a.log.gz': gz(A) }, ['--decompress', '-k', 'a.log.gz']));
    it('--uncompress works as -d', () => both({ 'a.log.gz': gz(A) }, ['--uncompress', 'a.log.gz']));
    it('-d finds app.log.gz when named app.log', () => both({ 'a.log.gz': gz(A) }, ['-d', 'a.log']));
    it('-d decompresses a multi-member file made by cat a.gz b.gz', () => {
      const { c } = both({ 'ab.gz': Buffer.concat([gz(A), gz(B)]) }, ['-d', 'ab.gz']);
      expect(fs.readFileSync(path.join(c, 'ab')).equals(Buffer.concat([A, B]))).toBe(true);
    });
    it.skipIf(!hasPigz)("-d decompresses pigz's output", () => {
      const { c } = both({ 'p.gz': pigzBytes(Buffer.concat([A, B])) }, ['-d', 'p.gz']);
      expect(fs.readFileSync(path.join(c, 'p')).equals(Buffer.concat([A, B]))).toBe(true);
    });
    it.skipIf(!hasPigz)('-d decompresses pigz -i (independent blocks) concatenated with gzip', () =>
      both({ 'x.gz': Buffer.concat([execFileSync('pigz', ['-c', '-i', '-b', '32'], { input: A }), gz(B)]) }, ['-d', 'x.gz']));
    it('-d restores the mode and mtime of the .gz, as gunzip does', () => {
      const { g, c } = pair({ 'a.gz': gz(A) });
      for (const d of [g, c]) fs.chmodSync(path.join(d, 'a.gz'), 0o640);
      expect([gzip(['-d', 'a.gz'], g).code, ours(['-d', 'a.gz'], c).code]).toEqual([0, 0]);
      const [sg, sc] = [g, c].map((d) => fs.statSync(path.join(d, 'a')));
      expect([sc.mode, Math.round(sc.mtimeMs / 1000)]).toEqual([sg.mode, Math.round(sg.mtimeMs / 1000)]);
    });
    it('-d ignores trailing zeros (exit 0) like gzip', () => both({ 'z.gz': Buffer.concat([gz(A), Buffer.alloc(4096)]) }, ['-d', 'z.gz']));
    it('-d warns about trailing garbage (exit 2), keeps the output, removes the .gz, like gzip', () => {
      const { rc } = both({ 'g.gz': Buffer.concat([gz(A), Buffer.from('garbage!')]) }, ['-d', 'g.gz']);
      expect(rc.stderr).toMatch(/decompression OK, trailing garbage ignored/);
    });
    it('-d skips an existing output without -f (exit 2), both files untouched', () =>
      both({ 'a.gz': gz(A), a: Buffer.from('keep me') }, ['-d', 'a.gz']));
    it('-df overwrites an existing output', () => both({ 'a.gz': gz(A), a: Buffer.from('replace me') }, ['-df', 'a.gz']));
    it('-d on a missing file: exit 1, nothing created', () => both({ 'a.gz': gz(A) }, ['-d', 'missing.gz']));
    it('-d on a name without a gzip suffix: unknown suffix, exit 2', () => both({ plain: A }, ['-d', 'plain']));
    it('-d -S .zz uses the given suffix', () => both({ 'a.zz': gz(A) }, ['-d', '-S', '.zz', 'a.zz']));
  });

  describe('bad input: exit 1, the .gz untouched, no partial output (both ways)', () => {
    const good = () => gz(A);
    const flip = (buf: Buffer, at: number, xor = 0x55) => {
      const b = Buffer.from(buf);
      b[at < 0 ? b.length + at : at] ^= xor;
      return b;
    };
    it.each([
      ['truncated', () => good().subarray(0, 5000)],
      ['truncated in the header', () => good().subarray(0, 7)],
      ['truncated in the trailer', () => good().subarray(0, good().length - 3)],
      ['wrong magic', () => Buffer.from('this is not gzip at all\n')],
      ['empty', () => Buffer.alloc(0)],
      ['bad CRC (a trailer byte flipped)', () => flip(good(), -8)],
      ['bad length (a trailer byte flipped)', () => flip(good(), -3)],
      ['damaged deflate data', () => flip(good(), 2000, 0xff)],
      ['a second member cut short', () => Buffer.concat([gz(A), gz(B).subarray(0, 300)])],
    ])('%s', (_name, make) => {
      const data = make();
      const { c, rc } = both({ 'bad.gz': data }, ['-d', 'bad.gz']);
      expect(rc.code).toBe(1);
      expect(fs.readFileSync(path.join(c, 'bad.gz')).equals(data)).toBe(true);
      expect(fs.readdirSync(c)).toEqual(['bad.gz']);
      expect(rc.stderr).toMatch(/bad\.gz/);
    });
    it('-t gives the same exit codes on each of them', () => {
      const cases = [gz(A).subarray(0, 5000), Buffer.from('nope'), flip(good(), -8), flip(good(), -3)];
      for (const data of cases) both({ 'x.gz': data }, ['-t', 'x.gz']);
    });
  });

  describe('-N: a stored name never steers the output outside the folder', () => {
    /** A member whose header says FNAME=name and MTIME=STAMP-1000. */
    const named = (name: string, data: Buffer = Buffer.from('evil content\n')) => {
      const head = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 8]), Buffer.alloc(4), Buffer.from([0, 3]), Buffer.from(name, 'latin1'), Buffer.from([0])]);
      head.writeUInt32LE(STAMP - 1000, 4);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(zlib.crc32(data), 0);
      trailer.writeUInt32LE(data.length, 4);
      return Buffer.concat([head, zlib.deflateRawSync(data), trailer]);
    };
    it('-dN restores the stored name and mtime like gunzip -N', () => {
      const { c } = both({ 'renamed.gz': named('original.log', A) }, ['-dN', 'renamed.gz']);
      expect(Math.round(fs.statSync(path.join(c, 'original.log')).mtimeMs / 1000)).toBe(STAMP - 1000);
    });
    it('-dn (and plain -d) name the output after the .gz', () => both({ 'renamed.gz': named('original.log', A) }, ['-dn', 'renamed.gz']));
    it.each(['../evil', '/etc/x', '../../../../tmp/evil', 'sub/../../evil'])('FNAME %j lands beside as its base name, as gzip -N does', (name) => {
      const { c } = both({ 'in/t.gz': named(name) }, ['-dN', 'in/t.gz']);
      expect(fs.readdirSync(path.join(c, 'in'))).toEqual([path.basename(name)]);
      expect(fs.readdirSync(c)).toEqual(['in']);
    });
    it.each(['..', '.', '', 'dir/'])('FNAME %j is refused: exit 1, the .gz untouched, nothing written', (name) => {
      const { c } = pair({ 't.gz': named(name) });
      const before = treeHash(path.dirname(c));
      const r = ours(['-dN', 't.gz'], c);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot name a file/);
      expect(treeHash(path.dirname(c))).toBe(before);
    });
  });

  describe('-t, --test', () => {
    it('several good files: exit 0', () => both({ 'a.gz': gz(A), 'ab.gz': Buffer.concat([gz(A), gz(B)]) }, ['-t', 'a.gz', 'ab.gz']));
    it('a bad CRC among good files: exit 1, the others still tested', () => {
      const bad = gz(B);
      bad[bad.length - 8] ^= 1;
      const { rc } = both({ 'a.gz': gz(A), 'bad.gz': bad, 'c.gz': gz(A) }, ['-t', 'a.gz', 'bad.gz', 'c.gz']);
      expect(rc.stdout.toString()).toMatch(/c\.gz: OK/);
    });
    it('a missing file among good ones: exit 1', () => both({ 'a.gz': gz(A) }, ['--test', 'missing.gz', 'a.gz']));
    it('trailing garbage: exit 2; trailing zeros: exit 0', () => {
      both({ 'g.gz': Buffer.concat([gz(A), Buffer.from('xx')]) }, ['-t', 'g.gz']);
      both({ 'z.gz': Buffer.concat([gz(A), Buffer.alloc(100)]) }, ['-t', 'z.gz']);
    });
    it('no operand tests stdin: exit 0 when good, 1 when not gzip', () => {
      both({}, ['-t'], Buffer.concat([gz(A), gz(B)]));
      both({}, ['-t'], Buffer.from('not gzip'));
    });
    it('a truncated file reports and goes on to the next one (gzip aborts the whole run there)', () => {
      const { c } = pair({ 'tr.gz': gz(A).subarray(0, 999), 'a.gz': gz(A) });
      const r = ours(['-t', 'tr.gz', 'a.gz'], c);
      expect(r.code).toBe(1);
      expect(r.stdout.toString()).toMatch(/a\.gz: OK/);
    });
  });

  describe('-l, --list', () => {
    const listed = (args: string[], files: Record<string, Buffer>) => {
      const { g, c } = pair(files);
      const env = { ...process.env, TZ: 'UTC' };
      const rg = spawnSync('gzip', args, { cwd: g, env });
      const rc = spawnSync(process.execPath, [path.resolve(import.meta.dirname, '../../dist/cmemgzip.js'), ...args], { cwd: c, env });
      return { g: rg.stdout.toString(), c: rc.stdout.toString(), codes: [rg.status, rc.status] };
    };
    it("prints gzip's exact table for single-member files, with the totals line", () => {
      const r = listed(['-l', 'a.gz', 'b.gz'], { 'a.gz': gz(A), 'b.gz': gz(B, '-9') });
      expect(r.c).toBe(r.g);
      expect(r.codes).toEqual([0, 0]);
    });
    it("prints gzip's exact -lv table (method, crc, date, time)", () => {
      const r = listed(['-lv', 'a.gz', 'b.gz'], { 'a.gz': gz(A), 'b.gz': gz(B) });
      expect(r.c).toBe(r.g);
    });
    it('-lN shows the stored name as gzip -lN does', () => {
      const { g, c } = pair({ 'a.log': A });
      gzip(['a.log'], g);
      fs.copyFileSync(path.join(g, 'a.log.gz'), path.join(c, 'renamed.gz'));
      fs.renameSync(path.join(g, 'a.log.gz'), path.join(g, 'renamed.gz'));
      expect(ours(['-lN', 'renamed.gz'], c).stdout.toString()).toBe(gzip(['-lN', 'renamed.gz'], g).stdout.toString());
    });
    it('sums every member of a multi-member file and says how gzip -l differs', () => {
      const r = listed(['-l', 'ab.gz'], { 'ab.gz': Buffer.concat([gz(A), gz(B)]) });
      const row = r.c.split('\n')[1].trim().split(/\s+/);
      expect(Number(row[1])).toBe(A.length + B.length);
      expect(r.g.split('\n')[1].trim().split(/\s+/)[1]).toBe(String(B.length));
      expect(r.c).toMatch(new RegExp(`note: ab.gz has 2 members.*would show ${B.length} uncompressed`));
    });
    it('a missing file among others: exit 1, the others listed', () => {
      const r = listed(['-l', 'a.gz', 'missing.gz'], { 'a.gz': gz(A) });
      expect(r.codes).toEqual([1, 1]);
      expect(r.c).toBe(r.g);
    });
    it('--json gives one object per file and nothing else', () => {
      const { c } = pair({ 'a.gz': gz(A), 'ab.gz': Buffer.concat([gz(A), gz(B)]) });
      const lines = ours(['-l', '--json', 'a.gz', 'ab.gz'], c).stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
      expect(lines.map((l) => [l.status, l.originalBytes, l.members])).toEqual([['listed', A.length, 1], ['listed', A.length + B.length, 2]]);
    });
  });

  describe('-c, --stdout, and stdin', () => {
    it('-c compresses to stdout and keeps the input; gzip -d reads it back', () => {
      const { c, rc, rg } = both({ 'a.log': A }, ['-c', 'a.log']);
      expect(gunzip(rc.stdout).equals(A)).toBe(true);
      expect(gunzip(rg.stdout).equals(A)).toBe(true);
      expect(fs.readdirSync(c)).toEqual(['a.log']);
    });
    it('-c on two files writes two members that decompress to both, in order', () => {
      const { rc } = both({ a: A, b: B }, ['-c', 'a', 'b']);
      expect(gunzip(rc.stdout).equals(Buffer.concat([A, B]))).toBe(true);
    });
    it('-dc writes exactly what gzip -dc writes, keeping the .gz (multi-member too)', () => {
      const { rc, rg } = both({ 'ab.gz': Buffer.concat([gz(A), gz(B)]) }, ['-dc', 'ab.gz']);
      expect(rc.stdout.equals(rg.stdout)).toBe(true);
    });
    it('-dc on a corrupt file: exit 1 like gzip', () => both({ 'bad.gz': Buffer.from('not gzip') }, ['-dc', 'bad.gz']));
    it('no operand: stdin compressed to stdout', () => {
      const { rc } = both({}, [], A);
      expect(gunzip(rc.stdout).equals(A)).toBe(true);
    });
    it('-d with no operand: stdin decompressed to stdout', () => {
      const { rc, rg } = both({}, ['-d'], Buffer.concat([gz(A), gz(B)]));
      expect(rc.stdout.equals(rg.stdout)).toBe(true);
    });
    it("'-' reads stdin among files, after --", () => {
      const { rc, rg } = both({ 'b.gz': gz(B) }, ['-dc', '--', '-', 'b.gz'], gz(A));
      expect(rc.stdout.equals(Buffer.concat([A, B]))).toBe(true);
      expect(rg.stdout.equals(rc.stdout)).toBe(true);
    });
    it('-- lets a file be named -n', () => both({ '-n': B }, ['-k', '--', '-n']));
    it.skipIf(!hasScript())('refuses to write compressed data to a terminal (exit 1, like gzip)', () => {
      const { c } = pair({ 'a.log': A });
      const r = runInTerminal(['-c', path.join(c, 'a.log')]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/compressed data not written to a terminal/);
    });
    it('refuses --json with -c: stdout carries the data', () => expect(ours(['-c', '--json', 'a'], m.dir).code).toBe(1));
  });

  describe('compression options', () => {
    it('gzip -d reads our .gz back byte for byte (name and mtime stored, like gzip -N)', () => {
      const { g, c } = both({ 'a.log': A }, ['a.log']);
      for (const d of [g, c]) expect(gzip(['-dN', 'a.log.gz'], d).code).toBe(0);
      expect(fs.readFileSync(path.join(c, 'a.log')).equals(A)).toBe(true);
      expect(Math.round(fs.statSync(path.join(c, 'a.log')).mtimeMs / 1000)).toBe(STAMP);
    });
    it('-n stores no name and mtime 0, like gzip -n', () => {
      const { g, c } = both({ 'a.log': A }, ['-n', 'a.log']);
      const [hg, hc] = [g, c].map((d) => fs.readFileSync(path.join(d, 'a.log.gz')).subarray(0, 10));
      expect([hc[3], hc.readUInt32LE(4)]).toEqual([hg[3], hg.readUInt32LE(4)]);
      expect([hc[3], hc.readUInt32LE(4)]).toEqual([0, 0]);
    });
    it('-kv9 (combined short options) keeps the original', () => both({ 'a.log': A }, ['-kv9', 'a.log']));
    it('an existing .gz without -f: exit 2, both untouched', () => both({ 'a.log': A, 'a.log.gz': gz(B) }, ['a.log']));
    it('a missing file: exit 1', () => both({}, ['missing.log']));
    it('--rsyncable is refused clearly: exit 1, nothing changed', () => {
      const { c } = pair({ 'a.log': A });
      const r = ours(['--rsyncable', 'a.log'], c);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--rsyncable is not supported/);
      expect(fs.readdirSync(c)).toEqual(['a.log']);
    });
  });

  describe('-r, --recursive', () => {
    const tree = () => ({ 'top.log': A, 'sub/x.log': B, 'sub/deeper/y.log': A.subarray(0, 1000), 'sub/done.gz': gz(B) });
    it('-r compresses a tree as gzip -r does', () => both(tree(), ['-r', '.']));
    it('-dr decompresses it back as gzip -dr does', () => {
      const files = Object.fromEntries(Object.entries(tree()).map(([k, v]) => (k.endsWith('.gz') ? [k, v] : [`${k}.gz`, gz(v)])));
      both(files, ['-dr', '.']);
    });
    it('skips symlinks, FIFOs and gzip data without the suffix; ends with a summary; --json has one object per file', () => {
      const { c } = pair(tree());
      fs.symlinkSync('top.log', path.join(c, 'link'));
      execFileSync('mkfifo', [path.join(c, 'sub/fifo')]);
      fs.writeFileSync(path.join(c, 'sub/magic.bin'), gz(A));
      const human = ours(['-rk', '.'], c);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stdout.toString()).toMatch(/recursive: 3 file\(s\) compressed, 4 skipped, 0 failed/);
      for (const f of ['top.log', 'sub/x.log', 'sub/deeper/y.log']) fs.rmSync(path.join(c, `${f}.gz`));
      const json = ours(['-rk', '--json', '.'], c).stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
      expect(json.map((o) => [path.relative(c, o.file), o.status, o.status === 'ignored' ? o.reason : ''])).toEqual([
        ['link', 'ignored', 'a symbolic link'],
        ['sub/deeper/y.log', 'compressed', ''],
        ['sub/done.gz', 'ignored', 'already compressed (suffix)'],
        ['sub/fifo', 'ignored', 'a FIFO'],
        ['sub/magic.bin', 'ignored', 'already compressed (gzip data)'],
        ['sub/x.log', 'compressed', ''],
        ['top.log', 'compressed', ''],
      ]);
      expect(fs.lstatSync(path.join(c, 'link')).isSymbolicLink()).toBe(true);
    });
  });

  describe('-d on a full disk', () => {
    it('refuses with the room needed: exit 1, the .gz untouched, no temporary left', () => {
      const small = mountFs('tmpfs', 8);
      try {
        const data = logData(4 * 2 ** 20);
        fs.writeFileSync(path.join(small.dir, 'big.log.gz'), gzipBytes(data));
        fill(small.dir);
        const before = treeHash(small.dir);
        const r = run(['-d', path.join(small.dir, 'big.log.gz')]);
        expect(r.code, r.stderr).toBe(1);
        expect(r.stderr).toMatch(/not enough room to decompress .*needs 5(\.\d+)? MiB/);
        expect(r.stderr).toMatch(/free .* more on/);
        expect(treeHash(small.dir)).toBe(before);
        expect(gunzip(fs.readFileSync(path.join(small.dir, 'big.log.gz'))).equals(data)).toBe(true);
      } finally {
        small.unmount();
      }
    });
    it('decompresses into the folder -o names and removes the .gz', () => {
      const { c } = pair({ 'a.log.gz': gz(A) });
      const out = path.join(c, 'out');
      fs.mkdirSync(out);
      const r = ours(['-d', '-o', out, 'a.log.gz'], c);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readFileSync(path.join(out, 'a.log')).equals(A)).toBe(true);
      expect(fs.readdirSync(c)).toEqual(['out']);
    });
  });

  // What tests/ of GNU gzip 1.12 checks (npm run test:gzip-suite runs them as they are), case by case here.
  describe("what gzip's own test suite checks", () => {
    const same = (args: string[], input: Buffer) => {
      const { rg, rc } = both({}, args, input);
      expect(rc.stdout.equals(rg.stdout), 'the same bytes on stdout').toBe(true);
    };
    it('-cdf copies what is not gzip through unchanged, alone, after a member, and between members (mixed)', () => {
      same(['-cdf'], Buffer.from('xxx\nyyy\n'));
      same(['-cdf'], Buffer.concat([gz(Buffer.from('xxx\n')), Buffer.from('yyy\n')]));
      same(['-cdf'], Buffer.concat([gz(Buffer.from('xxx\n')), gz(Buffer.from('yyy\n'))]));
      for (const n of [0, 1, 2, 64, 32832, 131073]) same(['-cdf'], A.subarray(0, n));
    });
    it('trailing NULs exit 0 and a lone non-zero byte after the member exits 1, as gzip (trailing-nul)', () => {
      const member = (t: string) => gz(Buffer.from(`${t}\n`));
      both({ '0.gz': Buffer.concat([member('0'), Buffer.from([0])]) }, ['-d', '0.gz']);
      both({ '00.gz': Buffer.concat([member('00'), Buffer.from([0, 0])]) }, ['-d', '00.gz']);
      const { rc } = both({ '1.gz': Buffer.concat([member('1'), Buffer.from([1])]) }, ['-d', '1.gz']);
      expect(rc.code).toBe(1);
    });
    it('with -v, trailing NULs are a warning (exit 2) in -t, -dc, -d and -l, as gzip says', () => {
      const padded = Buffer.concat([gz(A), Buffer.alloc(3)]);
      for (const args of [['-tv'], ['-dcv'], ['-dv'], ['-lv']]) expect(both({ 'z.gz': padded }, [...args, 'z.gz']).rc.code, args[0]).toBe(2);
    });
    it('-t rejects a bad header CRC and reserved flag bits, as gzip -t does (exit 1)', () => {
      const withHcrc = (header: Buffer, crc: number) => {
        const field = Buffer.alloc(2);
        field.writeUInt16LE(crc);
        return Buffer.concat([header, field, zlib.deflateRawSync(A), Buffer.from(zlib.crc32(A).toString(16).padStart(8, '0'), 'hex').reverse(), Buffer.from(A.length.toString(16).padStart(8, '0'), 'hex').reverse()]);
      };
      const header = Buffer.from([0x1f, 0x8b, 8, 0x02, 0, 0, 0, 0, 0, 3]);
      const good = withHcrc(header, zlib.crc32(header) & 0xffff);
      const { rc } = both({ 'good.gz': good, 'bad.gz': withHcrc(header, (zlib.crc32(header) + 1) & 0xffff) }, ['-t', 'good.gz', 'bad.gz']);
      expect(rc.stderr).toMatch(/bad\.gz: header checksum 0x[0-9a-f]+ != computed checksum/);
      for (const flags of [0x20, 0x40, 0x80]) {
        const reserved = gz(A, '-n');
        reserved[3] = flags;
        expect(both({ 'r.gz': reserved }, ['-t', 'r.gz']).rc.code).toBe(1);
      }
    });
    it("refuses an empty suffix, with -f and with -d, changing nothing (null-suffix-clobber)", () => {
      const { rc } = both({ F: A }, ['-f', '-S', '', 'F']);
      expect([rc.code, rc.stderr]).toEqual([1, expect.stringMatching(/invalid suffix ''/)]);
      both({ 'F.gz': gz(A) }, ['-d', '-S', '', 'F.gz']);
    });
    it('takes -qv, -n, -1 ... from GZIP and refuses -c, -d, -f, -k, -S there, as gzip does (gzip-env)', () => {
      for (const GZIP of ['-qv', '-n', '--best', '-1', '--fast', '-c', '--stdout', '-d', '-f', '-k', '-Sxxx', '--suffix=xxx', '-t', '--', '-l']) {
        const { g, c } = pair({ 'a.gz': gz(A) });
        const env = { ...process.env, GZIP };
        const rg = spawnSync('gzip', ['-d', 'a.gz'], { cwd: g, env });
        const rc = run(['-d', 'a.gz'], { cwd: c, env });
        expect(rc.code, `GZIP=${GZIP}: ${rc.stderr}`).toBe(rg.status);
        expect(snapshot(c), `GZIP=${GZIP}`).toEqual(snapshot(g));
      }
    });
    it('warns (exit 2) when the mtime is outside 1 .. 2^32-1 s and stores 0, as gzip does (timestamp)', () => {
      for (const [mtime, code] of [[0, 2], [-1, 2], [2 ** 32, 2], [1, 0], [2 ** 32 - 1, 0]]) {
        const { g, c } = pair({ in: A });
        // touch, not utimes: Node takes a negative time for "now".
        for (const d of [g, c]) execFileSync('touch', ['-d', `@${mtime}`, path.join(d, 'in')]);
        const rg = gzip(['in'], g);
        const rc = ours(['in'], c);
        expect([rc.code, rg.code], `mtime ${mtime}`).toEqual([code, code]);
        expect(fs.readFileSync(path.join(c, 'in.gz')).readUInt32LE(4), `mtime ${mtime}`).toBe(code ? 0 : mtime);
        if (code) expect(rc.stderr).toMatch(/timestamp out of range for gzip format/);
      }
    });
    it('-v says "created in.gz" with -k and "replaced with" without, as scripts grep (keep)', () => {
      const { c } = pair({ in: A });
      expect(ours(['-kv', 'in'], c).stdout.toString()).toMatch(/in:\t +\d+\.\d% -- created in\.gz/);
      fs.rmSync(path.join(c, 'in'));
      expect(ours(['-dv', 'in.gz'], c).stdout.toString()).toMatch(/in\.gz:\t +\d+\.\d% -- replaced with in\n/);
    });
    it('decodes compress (.Z) and pack (.z) data as gzip -d does, -dc and -d (helin-segv, unpack-valid)', () => {
      const z = { 'x.Z': Buffer.from('1f9d90000000c4', 'hex'), 'b.z': Buffer.from('1f1e0000000603010100616e6216c8', 'hex') };
      for (const name of Object.keys(z)) expect(both(z, ['-dc', name]).rc.stdout.toString('hex')).toBe(name === 'x.Z' ? '0000' : Buffer.from('banana').toString('hex'));
      const { c } = both(z, ['-d', 'x.Z', 'b.z']);
      expect(fs.readFileSync(path.join(c, 'b')).toString()).toBe('banana');
    });
    it("-l of a .Z shows gzip's sizes and ratio (no gzip header counted)", () => {
      const { g, c } = pair({ 'n.Z': Buffer.from('1f9d903114c8503043010d053514d8507043010e053914c4802131608c81310ac6381823618c85311ac6781823a20c8a3202ca1828a3a08c833212ca5828a3a18c873222cea03823e08c81330ace383823e18c85331ace783823220d8a3402d21848a3208d833412d25848a3218d873422d6a05823608d81350ad6385823618d85351ad6785823a20d8a', 'hex') });
      expect(ours(['-l', 'n.Z'], c).stdout.toString()).toBe(gzip(['-l', 'n.Z'], g).stdout.toString());
    });
    it('refuses damaged pack data with exit 1, as gzip (unpack-invalid)', () => {
      const { rc } = both({ 'bad.z': Buffer.from('1f1e0000000700', 'hex') }, ['-d', 'bad.z']);
      expect(rc.stderr).toMatch(/pack \(\.z\) data: .*bit length out of range/);
    });
  });
});
