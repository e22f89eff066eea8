// The sweep's workbench: a size-limited tmpfs for the operand and one for --stash, a log whose every 4 KiB is unique, filling.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const MiB = 2 ** 20;
/** 8 blocks of block mode's 256K, 2 of the streaming 1 MiB: enough steps for every strategy, quick under strace. */
export const FILE_BYTES = 2 * MiB;
const FS_MIB = 8;

/** Two fresh tmpfs mounts below one private folder: the operand's filesystem and a --stash DIR on another. */
export function openBench() {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'cmem-faults-'));
  const mounted = [];
  const mount = (name) => {
    const dir = path.join(base, name);
    fs.mkdirSync(dir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FS_MIB}m`, 'tmpfs', dir]);
    mounted.push(dir);
    return dir;
  };
  const close = () => {
    for (const dir of mounted) spawnSync('umount', ['-l', dir]);
    fs.rmSync(base, { recursive: true, force: true });
  };
  try {
    const dir = mount('fs');
    const stash = mount('stash');
    return { base, dir, stash, file: path.join(dir, 'app.log'), close };
  } catch (err) {
    close();
    throw err;
  }
}

/**
 * Log lines numbered from 0 and marked with the run's nonce: no 4 KiB of one run appears twice or in
 * another run, so finding a chunk anywhere proves those bytes survived.
 */
export function logContent(nonce, bytes = FILE_BYTES) {
  const levels = ['INFO', 'WARN', 'ERROR', 'DEBUG'];
  const words = ['connection', 'accepted', 'closed', 'timeout', 'session', 'GET', 'POST', '/api/v1/items', 'retry', 'cache'];
  const lines = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${nonce} ${String(i).padStart(9, '0')} ${new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()} app[${1000 + (i % 977)}]: ${levels[i % 4]} ${words[i % 10]} ${words[(i * 7) % 10]} id=${(i * 7919) % 1000003}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}

const freeBytes = (dir) => {
  const st = fs.statfsSync(dir);
  return st.bavail * st.bsize;
};

/**
 * Fills the tmpfs holding dir, then gives back `room` bytes: one write of what statfs says is free
 * (tmpfs counts it exactly), with random bytes, so that nothing compresses or dedups it away.
 */
export function fillLeaving(dir, room) {
  const filler = path.join(dir, '.filler');
  fs.writeFileSync(filler, crypto.randomBytes(freeBytes(dir)));
  if (freeBytes(dir) >= 64 * 1024) throw new Error(`could not fill ${dir}: ${freeBytes(dir)} bytes still free`);
  if (room > 0) fs.truncateSync(filler, Math.max(0, fs.statSync(filler).size - room));
}

/** Empties a folder, keeping the folder (a mount point). */
export function emptyFolder(dir) {
  for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

/** The system's gzip -dc of a buffer (never our code): what it decodes before any error, and whether it was all clean (exit 0). */
export function systemGunzip(data) {
  return new Promise((resolve) => {
    const child = execFile('gzip', ['-dc'], { encoding: 'buffer', maxBuffer: 256 * MiB }, (err, stdout) =>
      resolve({ data: stdout ?? Buffer.alloc(0), clean: !err }),
    );
    child.stdin.on('error', () => {});
    child.stdin.end(data);
  });
}
