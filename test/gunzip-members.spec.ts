import { execFileSync } from 'node:child_process';
import { PassThrough, Readable, Writable } from 'node:stream';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { byteReader } from '../src/steps/byte-reader.js';
import type { CmemError } from '../src/errors.js';
import { gunzipMembers, trailingWarning } from '../src/steps/gunzip-members.js';

const text = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => `line ${i * seed} of the log\n`).join(''));
const A = text(3000);
const B = text(5000, 7);
const gzipCli = (data: Buffer, ...args: string[]) => execFileSync('gzip', ['-c', ...args], { input: data });
const pigzCli = (data: Buffer) => execFileSync('pigz', ['-c', '-b', '32'], { input: data });
const hasPigz = (() => {
  try {
    execFileSync('pigz', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** Feeds `input` in chunks of `size` bytes; returns the result and everything written out. */
async function gunzip(input: Buffer, size = 65536, passThrough = false) {
  const chunks = Array.from({ length: Math.ceil(input.length / size) }, (_, i) => input.subarray(i * size, (i + 1) * size));
  const out = new PassThrough();
  const got: Buffer[] = [];
  out.on('data', (c: Buffer) => got.push(c));
  const result = await gunzipMembers(byteReader(Readable.from(chunks)), out, undefined, passThrough);
  return { ...result, output: Buffer.concat(got) };
}
const failure = (input: Buffer, size?: number) => gunzip(input, size).then(() => 'no error', (e: Error & { code: string }) => `${e.code}: ${e.message}`);
const crc = (b: Buffer) => zlib.crc32(b);

describe('gunzipMembers', () => {
  it('decompresses one member and reads its name and mtime', async () => {
    const r = await gunzip(Buffer.from(zlib.gzipSync(A)));
    expect(r.output.equals(A)).toBe(true);
    expect([r.members.length, r.size, r.crc, r.trailing]).toEqual([1, A.length, crc(A), 'none']);
  });
  it('reads FNAME and MTIME from a gzip-made header', async () => {
    const gz = execFileSync('sh', ['-c', 'd=$(mktemp -d); printf abc > "$d/name.txt"; touch -d @1700000000 "$d/name.txt"; gzip -c "$d/name.txt"; rm -r "$d"']);
    const r = await gunzip(gz);
    expect([r.members[0].name, r.members[0].mtime, r.output.toString()]).toEqual(['name.txt', 1700000000, 'abc']);
  });
  it('sums two members made by cat a.gz b.gz', async () => {
    const r = await gunzip(Buffer.concat([gzipCli(A), gzipCli(B)]));
    expect(r.output.equals(Buffer.concat([A, B]))).toBe(true);
    expect([r.members.length, r.size, r.crc]).toEqual([2, A.length + B.length, crc(Buffer.concat([A, B]))]);
  });
  it.skipIf(!hasPigz)("decompresses pigz's output", async () => expect((await gunzip(pigzCli(Buffer.concat([A, B, A])))).output.equals(Buffer.concat([A, B, A]))).toBe(true));
  it('finds every member boundary whatever the chunking (1 to 13 byte chunks)', async () => {
    const two = Buffer.concat([gzipCli(Buffer.from('first\n')), gzipCli(Buffer.from('second\n')), Buffer.alloc(3)]);
    for (let size = 1; size <= 13; size++) expect((await gunzip(two, size)).output.toString(), `chunk ${size}`).toBe('first\nsecond\n');
  });
  it('ignores trailing zeros and says so', async () => expect((await gunzip(Buffer.concat([gzipCli(A), Buffer.alloc(1000)]))).trailing).toBe('zeros'));
  it('reports trailing garbage after good members', async () => {
    const r = await gunzip(Buffer.concat([gzipCli(A), Buffer.from('garbage')]));
    expect([r.trailing, r.output.equals(A)]).toEqual(['garbage', true]);
  });
  it('counts zeros then garbage as garbage, as gzip does', async () => expect((await gunzip(Buffer.concat([gzipCli(A), Buffer.from([0, 0, 1])]))).trailing).toBe('garbage'));
  it('names the input in its errors when given a label', async () =>
    expect(await gunzipMembers(byteReader(Readable.from([Buffer.from('nope')])), undefined, 'x.gz').catch((e: Error) => e.message)).toBe('x.gz: not in gzip format'));
  it('fails on an empty input', async () => expect(await failure(Buffer.alloc(0))).toBe('BAD_GZIP: unexpected end of file'));
  it('fails on wrong magic', async () => expect(await failure(Buffer.from('hello, not gzip'))).toBe('BAD_GZIP: not in gzip format'));
  it('fails on an unknown method', async () => {
    const gz = gzipCli(A);
    gz[2] = 7;
    expect(await failure(gz)).toBe('BAD_GZIP: unknown compression method 7');
  });
  it('fails on a truncated header', async () => expect(await failure(gzipCli(A).subarray(0, 6))).toBe('BAD_GZIP: unexpected end of file'));
  it('fails on truncated deflate data', async () => expect(await failure(gzipCli(A).subarray(0, 200))).toBe('BAD_GZIP: unexpected end of file'));
  it('fails on a truncated trailer', async () => {
    const gz = gzipCli(A);
    expect(await failure(gz.subarray(0, gz.length - 3))).toBe('BAD_GZIP: unexpected end of file');
  });
  it('fails on a bad CRC', async () => {
    const gz = gzipCli(A);
    gz[gz.length - 8] ^= 0xff;
    expect(await failure(gz)).toBe('BAD_GZIP: invalid compressed data--crc error');
  });
  it('fails on a bad length', async () => {
    const gz = gzipCli(A);
    gz[gz.length - 3] ^= 0x55;
    expect(await failure(gz)).toBe('BAD_GZIP: invalid compressed data--length error');
  });
  it('fails on damaged deflate data', async () => {
    const gz = gzipCli(A);
    gz.fill(0xff, 20, 40);
    expect(await failure(gz)).toMatch(/^BAD_GZIP: invalid compressed data--format violated/);
  });
  it('fails on a second member cut short', async () => expect(await failure(Buffer.concat([gzipCli(A), gzipCli(B).subarray(0, 100)]))).toBe('BAD_GZIP: unexpected end of file'));
  // gzip 1.12 reads a lone non-zero byte as the first of a member cut short (its trailing-nul test: exit 1).
  it.each([0x1f, 0x01])('fails on one byte 0x%s after a member as gzip does (unexpected end of file)', async (byte) =>
    expect(await failure(Buffer.concat([gzipCli(A), Buffer.from([byte])]))).toBe('BAD_GZIP: unexpected end of file'));
  it('takes one zero byte after a member as padding', async () => expect((await gunzip(Buffer.concat([gzipCli(A), Buffer.from([0])]))).trailing).toBe('zeros'));
  it.each([
    ['compress (LZW, .Z)', '1f9d90000000c4', '0000'],
    ['pack (.z)', '1f1e0000000603010100616e6216c8', Buffer.from('banana').toString('hex')],
  ])('decodes %s data as one member, as gzip -d does', async (_format, hex, content) => {
    const r = await gunzip(Buffer.from(hex, 'hex'), 3);
    expect([r.output.toString('hex'), r.members.length, r.size, r.crc]).toEqual([content, 1, content.length / 2, crc(Buffer.from(content, 'hex'))]);
  });
  it('names the format in the error of damaged pack data', async () =>
    expect(await failure(Buffer.from('1f1e0000000700', 'hex'))).toBe('BAD_GZIP: pack (.z) data: invalid compressed data -- Huffman code bit length out of range'));
  it('refuses LZH (SCO compress -H) data by name, not as damage', async () => {
    const err = await gunzip(Buffer.from('1fa0000000', 'hex')).catch((e: CmemError) => e);
    expect(err).toMatchObject({ code: 'BAD_GZIP', message: 'LZH (SCO compress -H) data, not gzip: cmemgzip does not decode it', hint: expect.stringMatching(/gzip -d/) });
  });
  describe('passing through what is not gzip (gzip -cdf)', () => {
    it('copies data that is not gzip unchanged, with its length', async () => {
      const r = await gunzip(A, 1000, true);
      expect([r.output.equals(A), r.size, r.members.length]).toEqual([true, A.length, 0]);
    });
    it('copies what follows the members, zeros too, as gzip -cdf does', async () => {
      const tail = Buffer.from('\0yyy\n');
      const r = await gunzip(Buffer.concat([gzipCli(A), gzipCli(B), tail]), 7, true);
      expect([r.output.equals(Buffer.concat([A, B, tail])), r.trailing, r.size]).toEqual([true, 'copied', A.length + B.length + tail.length]);
    });
    it.each([0, 1, 2])('copies %d bytes of input (none, a lone magic byte, a short one) without failing', async (n) =>
      expect((await gunzip(Buffer.from([0x1f, 0x41]).subarray(0, n), 1, true)).output.length).toBe(n));
  });
  it('waits for a slow sink: never more than a few chunks buffered (16 MiB of zeros)', async () => {
    let buffered = 0;
    const out = new Writable({ highWaterMark: 65536, write: (_c, _e, done) => setTimeout(done, 1) });
    out.on('drain', () => (buffered = Math.max(buffered, out.writableLength)));
    const write = out.write.bind(out);
    out.write = ((c: Buffer, ...rest: never[]) => ((buffered = Math.max(buffered, out.writableLength + c.length)), write(c, ...rest))) as typeof out.write;
    const r = await gunzipMembers(byteReader(Readable.from([zlib.gzipSync(Buffer.alloc(16 * 2 ** 20))])), out);
    expect(r.size).toBe(16 * 2 ** 20);
    expect(buffered).toBeLessThanOrEqual(4 * 65536);
  });
});

describe('trailingWarning', () => {
  it('warns of garbage always, with gzip\'s words', () =>
    expect(trailingWarning('x.gz', 'garbage', false)).toEqual({ code: 'TRAILING_GARBAGE', message: 'x.gz: decompression OK, trailing garbage ignored' }));
  it('warns of zeros only with -v, as gzip does', () => {
    expect(trailingWarning('x.gz', 'zeros', false)).toBeUndefined();
    expect(trailingWarning('x.gz', 'zeros', true)).toEqual({ code: 'TRAILING_ZEROS', message: 'x.gz: decompression OK, trailing zero bytes ignored' });
  });
  it.each(['none', 'copied'] as const)('says nothing of %s', (trailing) => expect(trailingWarning('x.gz', trailing, true)).toBeUndefined());
});
