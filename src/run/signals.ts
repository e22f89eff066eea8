// Signal policy: outside a critical window SIGINT, SIGTERM and SIGQUIT remove our temporaries and
// exit; inside one they wait until it closes. SIGHUP (a dropped SSH session) never stops a run.
import fs from 'node:fs';
import { at } from '../fs/pinned-folders.js';

type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let depth = 0;
let pending: NodeJS.Signals | undefined;
let notify: (message: string) => void = () => {};

const EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGQUIT: 131 };

function stop(signal: NodeJS.Signals): never {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      /* best effort: the report names what is left */
    }
  }
  process.exit(EXIT_CODES[signal] ?? 1);
}

function onSignal(signal: NodeJS.Signals): void {
  if (depth > 0) {
    pending = signal;
    notify(`${signal} received during a critical step: it will take effect once the file is consistent`);
    return;
  }
  notify(`${signal} received: removing temporaries, the original is untouched`);
  stop(signal);
}

export function installSignalHandlers(log: (message: string) => void): void {
  notify = log;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGQUIT'] as const) process.on(signal, onSignal);
  process.on('SIGHUP', () => notify('SIGHUP received (terminal gone): carrying on'));
  // Writing to a terminal that hung up fails with EIO/EPIPE; losing the output must not stop the work.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

/** Registers what to remove if a signal stops the run now; returns the function that unregisters it. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export const removeOnInterrupt = (file: string) => onInterrupt(() => fs.rmSync(at(file), { force: true }));

/** Holds SIGINT, SIGTERM and SIGQUIT back until the returned function is called; a held signal then takes effect. */
export function hold(): () => void {
  depth++;
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    depth--;
    if (depth === 0 && pending) stop(pending);
  };
}

/** Runs fn with SIGINT, SIGTERM and SIGQUIT held back; a held signal takes effect when it returns. */
export async function critical<T>(fn: () => T | Promise<T>): Promise<T> {
  const release = hold();
  try {
    return await fn();
  } finally {
    release();
  }
}
