/**
 * A minimal scanner for sync-engine tests: walks a share (or some of its paths)
 * and records what changed into a SyncIndex, chunking files with the real
 * chunker. Not the product scanner: no ignore rules, no watcher, no inode shortcut
 * beyond size+mtime+inode equality.
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { chunkerParams } from '../../src/chunker/params.js';
import { signStream } from '../../src/chunker/sign.js';
import type { IndexEntry, ObservedEntry, SyncIndex } from '../../src/index/types.js';

const STATE_DIR_NAME = '.leftsync';

async function walk(root: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  // The sync engine works while we walk: anything may vanish between calls.
  const names = await readdir(path.join(root, rel)).catch(() => [] as string[]);
  for (const name of names) {
    const child = rel ? `${rel}/${name}` : name;
    if (child === STATE_DIR_NAME) continue;
    out.push(child);
    const stats = await lstat(path.join(root, child)).catch(() => null);
    if (stats?.isDirectory()) out.push(...(await walk(root, child)));
  }
  return out;
}

function unchanged(entry: IndexEntry | undefined, observed: ObservedEntry): boolean {
  return (
    entry !== undefined &&
    !entry.deleted &&
    entry.type === observed.type &&
    entry.mode === observed.mode &&
    (observed.type === 'dir' ||
      (entry.size === observed.size && entry.mtimeMs === observed.mtimeMs && entry.symlinkTarget === observed.symlinkTarget))
  );
}

/** Rescans `paths` (recursively for folders), or the whole share when omitted. Returns entries changed. */
export async function scan(index: SyncIndex, shareDir: string, paths?: string[]): Promise<IndexEntry[]> {
  const changed: IndexEntry[] = [];
  const seen = new Set<string>();
  let targets: string[];
  if (paths === undefined) {
    targets = await walk(shareDir);
    for (const e of index.all()) if (!e.deleted && !targets.includes(e.path)) targets.push(e.path);
  } else {
    targets = [];
    for (const p of paths) {
      targets.push(p);
      const stats = await lstat(path.join(shareDir, p)).catch(() => null);
      if (stats?.isDirectory()) targets.push(...(await walk(shareDir, p)));
      for (const e of index.listUnder(p)) if (!targets.includes(e.path)) targets.push(e.path);
    }
  }
  for (const rel of targets) {
    if (seen.has(rel)) continue;
    seen.add(rel);
    const abs = path.join(shareDir, rel);
    const stats = await lstat(abs).catch(() => null);
    const entry = index.get(rel);
    if (stats === null) {
      const tomb = index.recordLocalDeletion(rel);
      if (tomb) changed.push(tomb);
      continue;
    }
    const type = stats.isDirectory() ? 'dir' : stats.isSymbolicLink() ? 'symlink' : 'file';
    const observed: ObservedEntry = {
      path: rel,
      type,
      size: type === 'file' ? stats.size : 0,
      mtimeMs: Math.round(stats.mtimeMs),
      mode: type === 'symlink' ? 0 : stats.mode & 0o777,
      digest: Buffer.alloc(0),
      symlinkTarget: type === 'symlink' ? await readlink(abs).catch(() => '') : '',
      inode: stats.ino,
    };
    if (unchanged(entry, observed)) continue;
    let chunks: Array<{ offset: number; length: number; hash: Buffer }> = [];
    if (type === 'file') {
      const signature = await signStream(createReadStream(abs, { highWaterMark: 1 << 20 }), chunkerParams()).catch(() => null);
      if (signature === null) continue; // vanished while hashing: the next scan sees it
      // Sized from what was hashed: the sync engine may replace the file between lstat and read.
      observed.size = signature.size;
      observed.digest = signature.digest;
      chunks = signature.chunks;
      if (entry && !entry.deleted && entry.type === 'file' && entry.digest.equals(signature.digest) && entry.mode === observed.mode) {
        // Same bytes, only the timestamp moved (e.g. touched): keep the version.
        if (entry.mtimeMs === observed.mtimeMs) continue;
      }
    }
    changed.push(index.recordLocalChange(observed, chunks));
  }
  return changed;
}
