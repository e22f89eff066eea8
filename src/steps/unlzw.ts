// Decodes compress's LZW (.Z, magic 1f 9d) as gzip's unlzw.c does, quirks included: codes are read in groups
// of n_bits bytes, and a change of width or a CLEAR skips to the next group boundary.

const INIT_BITS = 9;
const BITS = 16;
const BLOCK_MODE = 0x80;
const RESERVED = 0x60;
const CLEAR = 256;
const OUT_CHUNK = 64 * 1024;

/** The decoded bytes, in chunks; throws gzip's messages on data it rejects. `input` holds the whole .Z, magic included. */
export function* unlzw(input: Buffer): Generator<Buffer> {
  if (input.length < 3) throw new Error('unexpected end of file');
  const flags = input[2];
  if (flags & RESERVED) throw new Error(`unknown flags 0x${(flags & RESERVED).toString(16)} in compress (LZW) data`);
  const maxbits = flags & 0x1f;
  if (maxbits > BITS) throw new Error(`compressed with ${maxbits} bits, can only handle ${BITS} bits`);
  const block = (flags & BLOCK_MODE) !== 0;
  const maxmaxcode = 1 << maxbits;
  const prefix = new Uint16Array(1 << BITS);
  const suffix = new Uint8Array(1 << BITS);
  for (let c = 0; c < 256; c++) suffix[c] = c;
  const stack = new Uint8Array(1 << BITS);
  let out = Buffer.allocUnsafe(OUT_CHUNK);
  let outpos = 0;

  let nBits = INIT_BITS;
  let maxcode = (1 << nBits) - 1;
  let bitmask = (1 << nBits) - 1;
  let freeEnt = block ? CLEAR + 1 : 256;
  let oldcode = -1;
  let finchar = 0;
  // Bit positions count from `base`, the byte where the current group of codes started, as gzip's buffer does.
  let base = 3;
  let posbits = 0;
  /** Rounds posbits up to the next group of nBits bytes and starts counting from there. */
  const nextGroup = () => {
    const group = nBits << 3;
    posbits = posbits - 1 + (group - ((posbits - 1 + group) % group));
    base += posbits >> 3;
    posbits = 0;
  };
  for (;;) {
    const inbits = (input.length - base) * 8 - (nBits - 1);
    if (posbits >= inbits) break;
    if (freeEnt > maxcode) {
      nextGroup();
      nBits++;
      maxcode = nBits === maxbits ? maxmaxcode : (1 << nBits) - 1;
      bitmask = (1 << nBits) - 1;
      continue;
    }
    const at = base + (posbits >> 3);
    let code = ((input[at] | ((input[at + 1] ?? 0) << 8) | ((input[at + 2] ?? 0) << 16)) >> (posbits & 7)) & bitmask;
    posbits += nBits;
    if (oldcode === -1) {
      if (code >= 256) throw new Error('corrupt input.');
      oldcode = finchar = code;
      out[outpos++] = code;
      continue;
    }
    if (code === CLEAR && block) {
      prefix.fill(0, 0, 256);
      freeEnt = CLEAR;
      nextGroup();
      nBits = INIT_BITS;
      maxcode = (1 << nBits) - 1;
      bitmask = (1 << nBits) - 1;
      continue;
    }
    const incode = code;
    let sp = stack.length;
    if (code >= freeEnt) {
      // KwKwK: the code being defined right now.
      if (code > freeEnt) throw new Error('corrupt input.');
      stack[--sp] = finchar;
      code = oldcode;
    }
    while (code >= 256) {
      stack[--sp] = suffix[code];
      code = prefix[code];
    }
    stack[--sp] = finchar = suffix[code];
    for (; sp < stack.length; ) {
      const n = Math.min(stack.length - sp, OUT_CHUNK - outpos);
      out.set(stack.subarray(sp, sp + n), outpos);
      outpos += n;
      sp += n;
      if (outpos === OUT_CHUNK) {
        yield out;
        out = Buffer.allocUnsafe(OUT_CHUNK);
        outpos = 0;
      }
    }
    if (freeEnt < maxmaxcode) {
      prefix[freeEnt] = oldcode;
      suffix[freeEnt] = finchar;
      freeEnt++;
    }
    oldcode = incode;
  }
  if (outpos > 0) yield out.subarray(0, outpos);
}
