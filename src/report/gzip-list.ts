// gzip -l's table, column for column (gzip.c do_list), so that scripts reading it keep working;
// plus a footnote where ours differs: sizes summed over every member, where gzip reads the last trailer.

export interface ListRow {
  compressed: number;
  uncompressed: number;
  /** The first member's header plus the 8-byte trailer: gzip subtracts it when it computes the ratio (0 for .Z, .z). */
  headerBytes: number;
  /** gzip -lv's method column: defla, or compr and pack for compress's .Z and pack's .z. */
  method: 'defla' | 'compr' | 'pack ';
  /** CRC-32 of the whole content. */
  crc: number;
  /** Seconds since the epoch, shown in local time with -v. */
  mtime: number;
  name: string;
  members: number;
  /** What gzip -l shows as uncompressed: the last trailer's length, modulo 4 GiB. */
  lastTrailerSize: number;
}

/** gzip prints off_t right-aligned in the width of the largest one (19 digits). */
const WIDTH = 19;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const VERBOSE_BLANK = ' '.repeat(28);

const off = (n: number | string) => String(n).padStart(WIDTH);

/**
 * printf("%5.1f%%") of gzip's double: toFixed rounds the exact value as printf does, except on exact
 * ties (x.x25, x.x75 are the only ones a double can hold), where printf rounds to even and toFixed up.
 */
export function ratio(num: number, den: number): string {
  const v = den === 0 ? 0 : (100 * num) / den;
  const abs = Math.abs(v);
  const tie = Number.isInteger(abs * 4) && !Number.isInteger(abs * 2);
  const text = tie && Math.floor(abs * 10) % 2 === 0 ? (Math.floor(abs * 10) / 10).toFixed(1) : abs.toFixed(1);
  return `${`${v < 0 ? '-' : ''}${text}`.padStart(5)}%`; // printf shows -0.0 too
}

export function listHeader(verbose: boolean): string {
  return `${verbose ? 'method  crc     date  time  ' : ''}${off('compressed')} ${off('uncompressed')}  ratio uncompressed_name`;
}

function stamp(mtime: number): string {
  const d = new Date(mtime * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]}${String(d.getDate()).padStart(3)} ${two(d.getHours())}:${two(d.getMinutes())} `;
}

export function listRow(row: ListRow, verbose: boolean): string {
  const prefix = verbose ? `${row.method} ${(row.crc >>> 0).toString(16).padStart(8, '0')} ${stamp(row.mtime)}` : '';
  const saved = row.uncompressed - (row.compressed - row.headerBytes);
  return `${prefix}${off(row.compressed)} ${off(row.uncompressed)} ${ratio(saved, row.uncompressed)} ${row.name}`;
}

/** The (totals) line; like gzip, the ratio uses the last file's header size. */
export function listTotals(rows: readonly ListRow[], verbose: boolean): string {
  const compressed = rows.reduce((n, r) => n + r.compressed, 0);
  const uncompressed = rows.reduce((n, r) => n + r.uncompressed, 0);
  const headerBytes = rows[rows.length - 1].headerBytes;
  return `${verbose ? VERBOSE_BLANK : ''}${off(compressed)} ${off(uncompressed)} ${ratio(uncompressed - (compressed - headerBytes), uncompressed)} (totals)`;
}

/** Said where gzip -l would show something else, or undefined where it agrees. */
export function listFootnote(row: ListRow, file: string): string | undefined {
  if (row.members === 1 && row.uncompressed === row.lastTrailerSize) return undefined;
  const why = row.members > 1 ? `has ${row.members} members: sizes and CRC are summed over all of them` : 'holds 4 GiB or more: the real size is shown';
  return `note: ${file} ${why}; gzip -l reads only the last trailer and would show ${row.lastTrailerSize} uncompressed`;
}
