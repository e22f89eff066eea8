// Names of our own files beside the operand, kept within NAME_MAX (255 bytes) however long the operand's name is.
import crypto from 'node:crypto';

export const NAME_MAX = 255;

/** The longest start of s that takes at most max bytes in UTF-8, never splitting a character. */
function cutToBytes(s: string, max: number): string {
  let out = '';
  for (const ch of s) {
    if (Buffer.byteLength(out + ch) > max) break;
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
  if (Buffer.byteLength(whole) <= NAME_MAX) return whole;
  const tag = `~${crypto.createHash('sha256').update(base).digest('hex').slice(0, 16)}`;
  return `${prefix}${cutToBytes(base, NAME_MAX - Buffer.byteLength(prefix + tag + suffix))}${tag}${suffix}`;
}
