// The temporary .gz's life as steps, from its first byte to its durable name: shared by every strategy
// that writes one beside its destination (O_EXCL|O_NOFOLLOW, mode 0600, fsync, verify, rename, fsync folder).
import fs from 'node:fs';
import type { Copy, Step } from '../plan/steps.js';
import { tempSteps } from '../plan/steps.js';
import type { Metadata } from '../steps/restore-metadata.js';
import { createTemp, dropTemp, fsyncOutputFolder, sealTemp, type TempGz } from '../steps/write-beside.js';
import { at } from '../fs/pinned-folders.js';
import { act, type Action } from './action.js';

export interface TempJob {
  temp?: TempGz;
}

export interface TempWork<C> {
  /** Where the .gz goes. */
  outputPath: (c: C) => string;
  /** Writes the content to the new temporary's descriptor. */
  fill: (c: C, fd: number) => void | Promise<void>;
  /** Reads the temporary back: it must give exactly the bytes the job holds. */
  verify: (c: C, file: string) => Promise<void>;
  /** Whose owner, mode and times the .gz takes. */
  metadata: (c: C) => Metadata;
  /** Facts checked right before the rename: a FILE written to meanwhile must not end up beside a stale .gz. */
  beforeRename?: (c: C) => void;
}

/** Write, fsync, verify, rename (which commits: the .gz is whole under its name), fsync the folder. */
export function tempActions<C extends TempJob>(before: readonly Copy[], after: readonly Copy[], size: number, w: TempWork<C>): Action<C>[] {
  const [write, fsync, verify, rename, folder] = tempSteps(before, after, size);
  return [
    act(write, {
      run: async (c) => {
        // A step before may have made it already (the unlink-first strategy makes it before FILE goes).
        c.temp ??= createTemp(w.outputPath(c));
        await w.fill(c, c.temp.fd!);
      },
      undo: (c) => c.temp && dropTemp(c.temp),
    }),
    act(fsync, { run: (c) => fs.fsyncSync(c.temp!.fd!) }),
    act(verify, {
      run: async (c) => {
        await w.verify(c, c.temp!.path);
        sealTemp(c.temp!, w.metadata(c));
      },
    }),
    renameAction(rename, w.outputPath, w.beforeRename),
    folderAction(folder, w.outputPath),
  ];
}

/** The temporary renamed to the .gz's name: this commits, the .gz is whole under its name. */
export const renameAction = <C extends TempJob>(rename: Step, outputPath: (c: C) => string, check?: (c: C) => void | Promise<void>): Action<C> =>
  act(rename, {
    check,
    run: (c) => {
      fs.renameSync(at(c.temp!.path), at(outputPath(c)));
      c.temp = undefined;
    },
    commits: true,
  });

/** The .gz's folder fsynced: its name durable. A failure leaves the .gz whole under its name. */
export const folderAction = <C extends TempJob>(folder: Step, outputPath: (c: C) => string): Action<C> => act(folder, { run: (c) => fsyncOutputFolder(outputPath(c)) });
