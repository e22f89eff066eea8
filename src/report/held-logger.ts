// A job's own logger when jobs run side by side: its lines are held until it is the first job not yet
// reported, then written in one piece and through from then on: the output reads file by file, in order.
import type { Logger } from './logger.js';

export interface HeldLogger extends Logger {
  /** Writes what was held to the logger underneath, and from then on writes through. */
  release(): void;
}

export function heldLogger(under: Logger): HeldLogger {
  let held: (() => void)[] | undefined = [];
  const hold =
    (write: (m: string) => void) =>
    (m: string): void => {
      if (held) held.push(() => write(m));
      else write(m);
    };
  // Lines the logger underneath drops (-q, --json) are not held either: -r held a few for every file.
  const mute = () => {};
  return {
    chalk: under.chalk,
    chatty: under.chatty,
    info: under.chatty ? hold((m) => under.info(m)) : mute,
    detail: under.chatty ? hold((m) => under.detail(m)) : mute,
    success: under.chatty ? hold((m) => under.success(m)) : mute,
    warn: hold((m) => under.warn(m)),
    error: hold((m) => under.error(m)),
    release() {
      const lines = held ?? [];
      held = undefined;
      lines.forEach((line) => line());
    },
  };
}
