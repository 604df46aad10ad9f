/**
 * How the scanner finds things on disk: a share path (NFC, as the index holds
 * it) to the entry that is there, and the entry types that are synced. (Whether
 * the share itself is there is the ShareGuard's question, src/fs/share-guard.ts.)
 */
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { checkRelativePath, lstatOrNull, resolveSharePath } from '../fs/paths.js';
import type { ObservedEntry } from '../model/entries.js';
import { observedMtimeMs } from '../model/file-stats.js';

export function typeOf(stats: Stats): ObservedEntry['type'] | null {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  return null; // sockets, fifos, devices: not synced
}

/** What the disk says of a path before any hashing: the digest (files) and link target are filled in later. */
export function observedOf(relPath: string, type: ObservedEntry['type'], stats: Stats): ObservedEntry {
  return {
    path: relPath,
    type,
    size: type === 'file' ? stats.size : 0,
    mtimeMs: observedMtimeMs(stats),
    mode: stats.mode & 0o777,
    digest: Buffer.alloc(0),
    symlinkTarget: '',
    inode: stats.ino,
  };
}

/** Whether a path (as the watcher reports it) keeps the one path rule. */
export function keepsPathRule(relPath: string): boolean {
  try {
    checkRelativePath(relPath);
    return true;
  } catch {
    return false;
  }
}

export function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || (err instanceof LeftsyncError && err.code === ErrorCode.UNSAFE_PATH);
}

/** Runs `job` over `items` with at most `limit` running at once. */
export async function eachLimited<T>(items: T[], limit: number, job: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await job(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Finds `relPath` (NFC) on disk: the path as given, or else, for non-ASCII names,
 * the entry whose name normalizes to it (a name stored decomposed, as macOS
 * writes them). Parents must be real folders: a symlinked parent means the path
 * is not in the share. Null when it is not there.
 */
export async function locate(shareDir: string, relPath: string): Promise<{ absPath: string; stats: Stats } | null> {
  try {
    const absPath = await resolveSharePath(shareDir, relPath);
    // Synchronous: a metadata call answered in microseconds, made once per path of a
    // watcher batch; a missing name (every deletion) answers without an exception.
    const stats = lstatOrNull(absPath);
    if (stats !== null) return { absPath, stats };
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  if (!/[^\x00-\x7f]/.test(relPath)) return null;
  const segments = relPath.split('/');
  let current = shareDir;
  for (let i = 0; i < segments.length; i++) {
    let names: string[];
    try {
      names = await readdir(current);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    const name = names.find((n) => n === segments[i]) ?? names.find((n) => n.normalize('NFC') === segments[i]);
    if (name === undefined) return null;
    current = path.join(current, name);
    const stats = await lstat(current);
    if (i === segments.length - 1) return { absPath: current, stats };
    if (!stats.isDirectory()) return null;
  }
  return null;
}
