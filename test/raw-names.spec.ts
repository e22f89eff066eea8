// raw-names: names' bytes in surrogateescape strings, back to the same bytes, and shown without lone surrogates.
import { isUtf8 } from 'node:buffer';
import crypto from 'node:crypto';
import { expect, it } from 'vitest';
import { byteLength, decode, encode, fsPath, hasRawBytes, shellBytes, shown, withNameBytes } from '../src/fs/raw-names.js';

const hex = (s: string) => Buffer.from(s.replace(/ /g, ''), 'hex');

// What Python gives for the same bytes: bytes.decode('utf-8', 'surrogateescape').
it.each([
  ['63 61 66 e9 2e 6c 6f 67', 'caf\udce9.log'], // Latin-1
  ['e2 82', '\udce2\udc82'], // a cut sequence
  ['ed b0 80', '\udced\udcb0\udc80'], // a surrogate written as UTF-8 is not UTF-8
  ['f4 90 80 80', '\udcf4\udc90\udc80\udc80'], // past U+10FFFF
  ['c0 af', '\udcc0\udcaf'], // overlong
  ['61 e2 82 ac 62 ff', 'a\u20acb\udcff'],
  ['f0 9f 92 80', '\u{1f480}'], // a real character whose UTF-16 low half is U+DC80
])('decode(%s) is %j, as Python surrogateescape has it, and encode gives the bytes back', (bytes, str) => {
  expect(decode(hex(bytes))).toBe(str);
  expect(encode(str)).toEqual(hex(bytes));
});

it('random byte strings come back byte for byte; UTF-8 ones decode as Node decodes them', () => {
  for (let n = 0; n < 2000; n++) {
    const buf = crypto.randomBytes(n % 40);
    const s = decode(buf);
    expect(encode(s)).toEqual(buf);
    expect(byteLength(s)).toBe(buf.length);
    if (isUtf8(buf)) expect(s).toBe(buf.toString('utf8'));
    expect(hasRawBytes(s)).toBe(!isUtf8(buf));
  }
});

it('a UTF-8 name is unchanged and handed to fs as the same string', () => {
  for (const name of ['/var/log/app.log', '/tmp/é.log', '/tmp/\u{1f480}.log', '']) {
    expect(decode(Buffer.from(name))).toBe(name);
    expect(fsPath(name)).toBe(name);
  }
});

it('a name with raw bytes is handed to fs as its bytes', () => expect(fsPath('/tmp/caf\udce9.log')).toEqual(Buffer.from('/tmp/caf\xe9.log', 'latin1')));

it('shown: no lone surrogate is printed, each raw byte is \\xNN, real characters stay', () => {
  expect(shown('/tmp/caf\udce9.log: compressed')).toBe('/tmp/caf\\xe9.log: compressed');
  expect(shown('é \u{1f480}')).toBe('é \u{1f480}');
});

it.each([
  ['/var/log/app\udcff.log', "$'/var/log/app\\xff.log'"],
  ["it's\\\udcff", "$'it\\x27s\\x5c\\xff'"],
  ['é\udce9', "$'\\xc3\\xa9\\xe9'"],
])('shellBytes(%j) = %s, which a shell turns back into the same bytes', (name, quoted) => expect(shellBytes(name)).toBe(quoted));

it('withNameBytes: beside each name with raw bytes, at any depth, its bytes in base64; UTF-8 names and messages as they are', () => {
  const report = { file: '/x/caf\udce9', output: '/x/ok.gz', error: { message: '/x/caf\udce9: gone' }, leftovers: [{ path: '/x/.caf\udce9.tmp' }], size: 3 };
  expect(withNameBytes(report)).toEqual({
    ...report,
    fileBytes: Buffer.from('/x/caf\xe9', 'latin1').toString('base64'),
    leftovers: [{ path: '/x/.caf\udce9.tmp', pathBytes: Buffer.from('/x/.caf\xe9.tmp', 'latin1').toString('base64') }],
  });
});
