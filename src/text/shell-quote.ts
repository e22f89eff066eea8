// A name or word as a shell takes it back, for the commands the tool prints for an operator to run.
import { hasRawBytes, shellBytes } from '../fs/raw-names.js';

export function shellQuote(s: string): string {
  if (hasRawBytes(s)) return shellBytes(s);
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
