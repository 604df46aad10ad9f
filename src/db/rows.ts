/** Conversions between index rows and IndexEntry objects. */
import type { EntryType, IndexEntry, ObservedEntry, SeenEntry, SeenPath, StoredChunk, VersionVector } from '../model/entries.js';

export interface EntryRow {
  path: string;
  type: string;
  size: number;
  mtime_ms: number;
  mode: number;
  digest: Buffer;
  symlink_target: string;
  inode: number;
  version: string;
  deleted: number;
  sequence: number;
  modified_by: string;
  /** Only in rows of our own entries (LOCAL_ENTRY_FIELDS). */
  superseded?: string | null;
}

/** The columns of SeenEntry (what the scanner compares with a file's lstat). */
export interface SeenRow {
  type: EntryType;
  size: number;
  mtime_ms: number;
  inode: number;
  mode: number;
  deleted: number;
}

export const SEEN_FIELDS = 'type, size, mtime_ms, inode, mode, deleted';

export function rowToSeen(row: SeenRow): SeenEntry {
  return { type: row.type, size: row.size, mtimeMs: row.mtime_ms, inode: row.inode, mode: row.mode, deleted: row.deleted !== 0 };
}

/** `path, ${SEEN_FIELDS}` as a raw row (an array, in that order). */
export type SeenPathRow = [path: string, type: EntryType, size: number, mtimeMs: number, inode: number, mode: number, deleted: number];

export function rawToSeenPath([path, type, size, mtimeMs, inode, mode, deleted]: SeenPathRow): SeenPath {
  return { path, type, size, mtimeMs, inode, mode, deleted: deleted !== 0 };
}

export interface ChunkRow {
  offset: number;
  length: number;
  hash: Buffer;
}

export function rowToEntry(row: EntryRow): IndexEntry {
  return {
    path: row.path,
    type: row.type as EntryType,
    size: row.size,
    mtimeMs: row.mtime_ms,
    mode: row.mode,
    digest: row.digest,
    symlinkTarget: row.symlink_target,
    inode: row.inode,
    version: JSON.parse(row.version) as VersionVector,
    deleted: row.deleted !== 0,
    sequence: row.sequence,
    modifiedBy: row.modified_by,
    ...(typeof row.superseded === 'string' ? { superseded: JSON.parse(row.superseded) as VersionVector } : {}),
  };
}

/** SQLite copies what it binds: a Buffer needs no copy of its own (one per stored entry, for the collector to sweep). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

/** Named parameters for INSERT statements (better-sqlite3 binds @name). */
export function entryToParams(entry: IndexEntry): Record<string, unknown> {
  return {
    path: entry.path,
    type: entry.type,
    size: entry.size,
    mtime_ms: entry.mtimeMs,
    mode: entry.mode,
    digest: asBuffer(entry.digest),
    symlink_target: entry.symlinkTarget,
    inode: entry.inode,
    version: JSON.stringify(entry.version),
    deleted: entry.deleted ? 1 : 0,
    sequence: entry.sequence,
    modified_by: entry.modifiedBy,
    superseded: entry.superseded === undefined ? null : JSON.stringify(entry.superseded),
  };
}

export function rowToChunk(row: ChunkRow): StoredChunk {
  return { offset: row.offset, length: row.length, hash: row.hash };
}

export const ENTRY_FIELDS =
  'path, type, size, mtime_ms, mode, digest, symlink_target, inode, version, deleted, sequence, modified_by';
export const ENTRY_VALUES =
  '@path, @type, @size, @mtime_ms, @mode, @digest, @symlink_target, @inode, @version, @deleted, @sequence, @modified_by';
/** Our own entries also keep what they superseded (never announced, so not in remote_entries). */
export const LOCAL_ENTRY_FIELDS = `${ENTRY_FIELDS}, superseded`;
export const LOCAL_ENTRY_VALUES = `${ENTRY_VALUES}, @superseded`;

export interface PartialRow {
  temp_name: string;
  path: string;
  digest: Buffer;
  size: number;
}

/** Only the ObservedEntry fields, copied (callers may pass richer objects). */
export function observedFields(o: ObservedEntry) {
  return {
    path: o.path,
    type: o.type,
    size: o.size,
    mtimeMs: o.mtimeMs,
    mode: o.mode,
    digest: Buffer.from(o.digest),
    symlinkTarget: o.symlinkTarget,
    inode: o.inode,
  };
}
