// The obsolescent GZIP environment variable: as gzip 1.12, only options that change how, never what, it does.

/** gzip's own list: -n -N -q -v -1 ... -9 and their long forms (--rsyncable, also allowed there, is refused anyway). */
const ALLOWED = /^(?:-[nNqv1-9]+|--(?:no-name|name|quiet|verbose|fast|best))$/;

/** The words of GZIP to put before the command line's, or the message that refuses them. */
export function gzipEnvArgs(value: string | undefined): { args: string[] } | { refused: string } {
  const words = (value ?? '').split(/\s+/).filter(Boolean);
  const bad = words.find((w) => !ALLOWED.test(w));
  if (bad === undefined) return { args: words };
  const what = bad.startsWith('-') ? 'option not valid' : 'non-option';
  return { refused: `error: ${bad}: ${what} in GZIP environment variable (there only -n, -N, -q, -v, -1 ... -9, --fast and --best are taken, as by gzip); unset GZIP or put the option on the command line` };
}
