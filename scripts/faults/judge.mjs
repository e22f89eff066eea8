// Judging one run's aftermath: is the job done, and which bytes of the original exist nowhere (not in
// FILE, FILE.gz, a part, a stash copy or the tool's state), read with the system's gzip.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { systemGunzip } from './bench.mjs';
import { changedFiles } from './state.mjs';

const CHUNK = 4096;
const key = (buf) => crypto.createHash('sha1').update(buf).digest('base64');

/** Regular files below dir, recursively, but the filler. */
function filesBelow(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== '.filler')
    .map((e) => path.join(e.parentPath, e.name));
}

const readOrNone = (file) => {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
};

const isGzip = (buf) => buf[0] === 0x1f && buf[1] === 0x8b;

/**
 * A file's bytes as they are, and as the system's gzip decodes them when they start like a gzip member,
 * twice over: a rerun that compressed a file still holding gz bytes (a kill in the in-place window) keeps
 * the original two levels down.
 */
async function views(file) {
  const raw = readOrNone(file);
  const out = raw ? [raw] : [];
  for (let level = 0; level < 2 && isGzip(out.at(-1) ?? []); level++) out.push((await systemGunzip(out.at(-1))).data);
  return out;
}

/** The tool's files in its default places: changed since the sweep began and naming our workbench or holding our log. */
export async function ourStateFiles(bench, nonce) {
  const mine = [];
  for (const file of changedFiles(bench.rootsBefore, bench.roots, bench.base)) {
    const all = await views(file);
    if (all.some((v) => v.includes(bench.base) || v.includes(nonce))) mine.push(file);
  }
  return mine;
}

/** The offsets of the original's 4 KiB chunks found in none of the sources. */
function missingChunks(original, sources) {
  const have = new Set();
  for (const s of sources) for (let off = 0; off < s.length; off += CHUNK) have.add(key(s.subarray(off, off + CHUNK)));
  const missing = [];
  for (let off = 0; off < original.length; off += CHUNK) {
    const chunk = original.subarray(off, off + CHUNK);
    // Sources hold the original at 4 KiB-aligned offsets (a cut FILE, 256K parts); an unaligned copy is searched for.
    if (!have.has(key(chunk)) && !sources.some((s) => s.includes(chunk))) missing.push(off);
  }
  return missing;
}

/** What the job means by done, for the operand layout of scenario.done. */
async function isDone(kind, file, gz, original) {
  const gzClean = async () => {
    const data = readOrNone(gz);
    if (!data) return false;
    const out = await systemGunzip(data);
    return out.clean && out.data.equals(original);
  };
  if (kind === 'decompress') return !fs.existsSync(gz) && (readOrNone(file)?.equals(original) ?? false);
  if (kind === 'copytruncate') return fs.existsSync(file) && fs.statSync(file).size === 0 && (await gzClean());
  return !fs.existsSync(file) && (await gzClean());
}

/**
 * The state after a run: done or not, the chunks lost, and what was left behind (anything in the folder
 * beyond the result, anything in the stash folder, the tool's files in its default places).
 */
export async function assess(bench, scenario, original, nonce) {
  const gz = `${bench.file}.gz`;
  const state = await ourStateFiles(bench, nonce);
  const files = [...filesBelow(bench.dir), ...filesBelow(bench.stash), ...state];
  const sources = (await Promise.all(files.map(views))).flat();
  const done = await isDone(scenario.done, bench.file, gz, original);
  const result = new Set(scenario.done === 'decompress' ? [bench.file] : scenario.done === 'copytruncate' ? [bench.file, gz] : [gz]);
  return {
    done,
    missing: missingChunks(original, sources),
    left: files.filter((f) => !result.has(f)),
    files: files.map((f) => `${f} (${fs.existsSync(f) ? fs.statSync(f).size : '?'} bytes)`),
  };
}
