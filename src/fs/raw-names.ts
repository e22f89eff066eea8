// Names as the kernel has them (bytes) carried in JS strings the way Python's "surrogateescape" does: every
// byte that is not part of valid UTF-8 becomes the lone surrogate U+DC80+byte, so that path.join, basename
// and the rest work unchanged, and encode gives back the very bytes (fs with a plain string would put U+FFFD).
import fs from 'node:fs';

/** A lone low surrogate of the escaped range; with the u flag a surrogate pair (a real character) never matches. */
const ESCAPED = /[\uDC80-\uDCFF]/u;
const ESCAPED_ALL = /[\uDC80-\uDCFF]/gu;

/** The length of the valid UTF-8 sequence starting at i, or 0 when the byte there starts none (RFC 3629 table). */
function sequenceAt(buf: Buffer, i: number): number {
  const b = buf[i];
  if (b < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => i + j < buf.length && buf[i + j] >= lo && buf[i + j] <= hi;
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const [lo, hi] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const [lo, hi] = b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/** The string for a name's bytes: UTF-8 as it is, each byte outside valid UTF-8 as U+DC80+byte. */
export function decode(buf: Buffer): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < buf.length) {
    const n = sequenceAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', start, i) + String.fromCharCode(0xdc00 + buf[i]);
    start = ++i;
  }
  return out + buf.toString('utf8', start);
}

/** True when the name holds bytes that are not UTF-8. */
export const hasRawBytes = (name: string): boolean => ESCAPED.test(name);

/** The exact bytes of a name that decode made. */
export function encode(name: string): Buffer {
  if (!hasRawBytes(name)) return Buffer.from(name, 'utf8');
  const parts: Buffer[] = [];
  for (const ch of name) {
    const cp = ch.codePointAt(0)!;
    parts.push(cp >= 0xdc80 && cp <= 0xdcff ? Buffer.of(cp - 0xdc00) : Buffer.from(ch, 'utf8'));
  }
  return Buffer.concat(parts);
}

/** What fs takes for the name: the string itself when it is UTF-8 (every usual name), else its bytes. */
export const fsPath = (name: string): string | Buffer => (hasRawBytes(name) ? encode(name) : name);

/**
 * realpath for any name, by the native call: fs.realpathSync's JS walk turns a Buffer back into a (lossy)
 * string, and for a plain name costs an lstat and a Stats object per folder of the path (-r: every file).
 */
export const realPath = (name: string): string =>
  hasRawBytes(name) ? decode(fs.realpathSync.native(encode(name), { encoding: 'buffer' })) : fs.realpathSync.native(name);

/** The size of a name in bytes, as NAME_MAX counts it. */
export const byteLength = (name: string): number => (hasRawBytes(name) ? encode(name).length : Buffer.byteLength(name));

/** Text for a person: each byte that is not UTF-8 shown as \xNN (a lone surrogate would print as U+FFFD). */
export const shown = (text: string): string => text.replace(ESCAPED_ALL, (ch) => `\\x${(ch.charCodeAt(0) - 0xdc00).toString(16)}`);

/** A name with raw bytes as a shell takes it back: $'...' with each byte that is not printable ASCII as \xNN. */
export function shellBytes(name: string): string {
  let out = '';
  for (const b of encode(name)) out += b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `$'${out}'`;
}

/**
 * For --json: JSON.stringify writes a lone surrogate as the escape \udcNN, which Python (json, then os.fsencode)
 * and JS (JSON.parse, then encode) turn back into the bytes, but jq and others make U+FFFD of; so beside every
 * field holding such a name, at any depth, FIELDBytes holds its bytes in base64 (not for messages: prose, not names).
 */
const PROSE = new Set(['message', 'hint', 'reason']);

export function withNameBytes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withNameBytes);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    out[key] = withNameBytes(field);
    if (typeof field === 'string' && !PROSE.has(key) && hasRawBytes(field)) out[`${key}Bytes`] = encode(field).toString('base64');
  }
  return out;
}
