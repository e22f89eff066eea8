// A one-line progress display on stderr for long steps, redrawn in place, and only on a terminal.
import { percent, shortBytes, speed } from '../text/format.js';

/** Redraws at most this often: a terminal needs no more, and each write costs a syscall. */
const REDRAW_MS = 100;
/** Speed and time left are noise before this much time has elapsed and this share of the bytes is done. */
const SETTLE_MS = 250;
const SETTLE_SHARE = 0.02;
const CLEAR = '\r\x1b[K';

export function timeLeft(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 60 ? `${s} s left` : `${Math.floor(s / 60)} min ${s % 60} s left`;
}

/** "compressing  42.0%  107.5 MiB of 256 MiB  54.1 MiB/s  3 s left", cut to the terminal's width. */
export function progressLine(step: string, done: number, total: number, elapsedMs: number, columns = 80): string {
  const parts = [step, percent(done, total).padStart(6), `${shortBytes(done)} of ${shortBytes(total)}`];
  if (elapsedMs >= SETTLE_MS && done > 0 && done >= total * SETTLE_SHARE) parts.push(speed(done, elapsedMs), timeLeft(((total - done) * elapsedMs) / done));
  // One column short of the width: writing the last column makes some terminals wrap.
  return parts.join('  ').slice(0, Math.max(0, columns - 1));
}

export type Advance = (bytes: number) => void;

export interface Progress {
  /** Runs fn, showing `step` advance towards `total` bytes as fn reports them; the line is gone when it returns or throws. */
  track<T>(step: string, total: number, fn: (advance: Advance) => T | Promise<T>): Promise<T>;
}

/** Never for --json or -q, never when stderr is a file, a pipe or a dumb terminal: logs and cron stay clean. */
export function createProgress(opts: { quiet: boolean; json: boolean }, stream: NodeJS.WriteStream = process.stderr): Progress {
  const shown = stream.isTTY === true && !opts.quiet && !opts.json && process.env.TERM !== 'dumb';
  return {
    async track(step, total, fn) {
      if (!shown) return fn(() => {});
      const start = performance.now();
      let done = 0;
      let drawn = -Infinity;
      // A terminal that reports no size (a bare pty) gets the classic 80 columns.
      const draw = () => {
        drawn = performance.now();
        stream.write(`\r${progressLine(step, done, total, drawn - start, stream.columns || 80)}\x1b[K`);
      };
      draw();
      try {
        return await fn((bytes) => {
          done += bytes;
          if (performance.now() - drawn >= REDRAW_MS) draw();
        });
      } finally {
        stream.write(CLEAR);
      }
    },
  };
}
