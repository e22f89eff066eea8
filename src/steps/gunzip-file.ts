// Decompresses a .gz file (all members) into a stream or nowhere, opened safely (no symlink, no
// FIFO, the very file that was probed) and closed whatever happens.
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import type { FileFacts } from '../probe/file.js';
import { byteReader } from './byte-reader.js';
import { gunzipMembers, type Gunzipped } from './gunzip-members.js';
import { openSource } from './open-source.js';

export async function gunzipFile(facts: FileFacts, out?: Writable): Promise<Gunzipped> {
  const input = fs.createReadStream('', { fd: openSource(facts), highWaterMark: 256 * 1024 });
  try {
    return await gunzipMembers(byteReader(input), out, facts.path);
  } finally {
    input.destroy();
  }
}
