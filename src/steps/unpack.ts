// Decodes pack's Huffman format (.z, magic 1f 1e) as gzip's unpack.c does: a canonical code read MSB first.

const MAX_BITLEN = 25;
const LITERALS = 256;
const OUT_CHUNK = 64 * 1024;

/** The decoded bytes, in chunks; throws gzip's messages on data it rejects. `input` holds the whole .z, magic included. */
export function* unpack(input: Buffer): Generator<Buffer> {
  let pos = 2;
  const byte = () => {
    if (pos >= input.length) throw new Error('unexpected end of file');
    return input[pos++];
  };
  let origLen = 0;
  for (let i = 0; i < 4; i++) origLen = origLen * 256 + byte();
  const maxLen = byte();
  if (!(maxLen > 0 && maxLen <= MAX_BITLEN)) throw new Error('invalid compressed data -- Huffman code bit length out of range');
  const leaves = new Array<number>(maxLen + 1).fill(0);
  let maxLeaves = 1;
  let count = 0;
  for (let len = 1; len <= maxLen; len++) {
    leaves[len] = byte();
    if (maxLeaves - (len === maxLen ? 1 : 0) < leaves[len]) throw new Error('too many leaves in Huffman tree');
    maxLeaves = (maxLeaves - leaves[len] + 1) * 2 - 1;
    count += leaves[len];
  }
  if (count >= LITERALS) throw new Error('too many leaves in Huffman tree');
  // The last length's count is sent less 2: one for the offset that fits it in a byte, one for the end code (not sent).
  leaves[maxLen]++;
  const litBase = new Array<number>(maxLen + 1).fill(0);
  const literal: number[] = [];
  for (let len = 1; len <= maxLen; len++) {
    litBase[len] = literal.length;
    for (let n = leaves[len]; n > 0; n--) literal.push(byte());
  }
  leaves[maxLen]++;
  // At each length the smallest codes are parents of longer ones; the leaves follow them.
  const parents = new Array<number>(maxLen + 1).fill(0);
  let nodes = 0;
  for (let len = maxLen; len >= 1; len--) {
    nodes >>= 1;
    parents[len] = nodes;
    litBase[len] -= nodes;
    nodes += leaves[len];
  }
  if (nodes >> 1 !== 1) throw new Error('too few leaves in Huffman tree');
  const eob = leaves[maxLen] - 1;

  let out = Buffer.allocUnsafe(OUT_CHUNK);
  let outpos = 0;
  let written = 0;
  let bits = 0;
  let valid = 0;
  for (;;) {
    let code = 0;
    let len = 0;
    do {
      if (valid === 0) {
        bits = byte();
        valid = 8;
      }
      code = (code << 1) | ((bits >> --valid) & 1);
      len++;
    } while (code < parents[len]);
    if (len === maxLen && code === eob) break;
    if (code + litBase[len] >= literal.length) throw new Error('invalid compressed data--format violated');
    out[outpos++] = literal[code + litBase[len]];
    written++;
    if (outpos === OUT_CHUNK) {
      yield out;
      out = Buffer.allocUnsafe(OUT_CHUNK);
      outpos = 0;
    }
  }
  if (outpos > 0) yield out.subarray(0, outpos);
  if (origLen !== written % 2 ** 32) throw new Error('invalid compressed data--length error');
}
