// Number formatting for operators: human units with exact bytes, percentages, durations, speeds.
import prettyBytes from 'pretty-bytes';

/** A count with thousands separators, "12,901,234". Not Intl.NumberFormat: starting ICU costs every run ~15 ms. */
export const grouped = (n: number): string => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** "12.3 MiB (12,901,234 bytes)" */
export function bytes(n: number): string {
  return `${prettyBytes(n, { binary: true })} (${grouped(n)} bytes)`;
}

export const shortBytes = (n: number): string => prettyBytes(n, { binary: true });

export function percent(part: number, whole: number): string {
  return whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 59_995) return `${(ms / 1000).toFixed(2)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function speed(n: number, ms: number): string {
  return ms <= 0 ? '-' : `${prettyBytes((n * 1000) / ms, { binary: true })}/s`;
}
