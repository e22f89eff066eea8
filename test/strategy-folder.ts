// What the strategies' unit specs share: a folder of the test's own per case, a logger that says nothing,
// and a state place inside the folder (notes and pointers gone with it, nothing left in /dev/shm or /tmp).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { Logger } from '../src/report/logger.js';

export const silent = { info: () => {}, detail: () => {}, warn: () => {}, error: () => {} } as unknown as Logger;

/** A fresh folder for each case, removed after it, with CMEMGZIP_STATE_DIRS put back; read it through the getter. */
export function caseFolder(prefix: string): () => string {
  let dir = '';
  const saved = process.env.CMEMGZIP_STATE_DIRS;
  beforeEach(() => void (dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix))));
  afterEach(() => {
    process.env.CMEMGZIP_STATE_DIRS = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** The run's state place inside dir: made afresh (dir may have been emptied between steps of one case). */
export function ownStatePlace(dir: string): void {
  fs.mkdirSync(path.join(dir, 'state'), { mode: 0o700 });
  process.env.CMEMGZIP_STATE_DIRS = path.join(dir, 'state');
}
