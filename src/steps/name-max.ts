// Names of our own files beside the operand, kept within NAME_MAX (255 bytes) however long the operand's name is.
import crypto from 'node:crypto';
import { byteLength, encode } from '../fs/raw-names.js';

export const NAME_MAX = 255;

/** The longest start of s that takes at most max bytes, never splitting a character. */
function cutToBytes(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (byteLength(out + ch) > max) break;
    out += ch;
  }
  return out;
}

/**
 * prefix + base + suffix; when that passes NAME_MAX, base is cut and a hash of the whole of it added, so that
 * two long names sharing a start still differ, and every run derives the same name (a rerun finds a killed run's).
 */
export function withinNameMax(prefix: string, base: string, suffix: string): string {
  const whole = `${prefix}${base}${suffix}`;
  if (byteLength(whole) <= NAME_MAX) return whole;
  const tag = `~${crypto.createHash('sha256').update(encode(base)).digest('hex').slice(0, 16)}`;
  return `${prefix}${cutToBytes(base, NAME_MAX - byteLength(prefix + tag + suffix))}${tag}${suffix}`;
}
