// The CRC-32 of two pieces joined, from the CRC-32 of each and the second's length: zlib's
// crc32_combine (polynomial arithmetic mod the CRC polynomial), which Node does not expose.
const POLY = 0xedb88320;

/** a times b modulo the CRC polynomial, in the reflected bit order CRC-32 uses. */
function multModP(a: number, b: number): number {
  let product = 0;
  for (let bit = 0x80000000; bit !== 0; bit >>>= 1) {
    if (a & bit) product ^= b;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, for k = 0..31: squaring the one before. */
const X2N: number[] = [];
for (let k = 0, p = 1 << 30; k < 32; k++, p = multModP(p, p)) X2N.push(p >>> 0);

/** x^(8 * bytes) modulo the polynomial: what appending that many zero bytes multiplies a CRC by. */
function shiftFor(bytes: number): number {
  let p = 0x80000000;
  for (let k = 3; bytes > 0; k++, bytes = Math.floor(bytes / 2)) if (bytes % 2) p = multModP(X2N[k & 31], p);
  return p;
}

export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  return (multModP(shiftFor(length2), crc1 >>> 0) ^ crc2) >>> 0;
}
