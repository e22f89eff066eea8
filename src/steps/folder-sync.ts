// One fsync of a folder for the renames and unlinks that files running side by side made in it at about the
// same time (the removals that one holder check let through, say): each caller goes on only after an fsync
// that began after its own change, so each change is as durable as with an fsync of its own.
import { fsyncDir } from './write-chunks.js';

const due = new Map<string, Promise<void>>();

/** Resolves once an fsync of dir that began after this call is done; rejects with its error for every caller. */
export function syncFolder(dir: string): Promise<void> {
  let synced = due.get(dir);
  if (!synced) {
    // After the changes already queued in this turn of the loop: those of the other files let through with this one.
    synced = new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        due.delete(dir);
        try {
          fsyncDir(dir);
          resolve();
        } catch (err) {
          reject(err);
        }
      }),
    );
    due.set(dir, synced);
  }
  return synced;
}
