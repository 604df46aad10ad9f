/**
 * Index entries to and from the wire: the one place that knows how a version
 * vector (a map) becomes repeated Counter and how entry types map to FileType.
 */
import type { EntryType, IndexEntry, VersionVector } from '../model/entries.js';
import { FileType, type Counter, type FileEntry } from './messages.js';

const TO_WIRE_TYPE: Record<EntryType, FileType> = {
  file: FileType.FILE,
  dir: FileType.DIRECTORY,
  symlink: FileType.SYMLINK,
};

function fromWireType(type: FileType): EntryType {
  if (type === FileType.DIRECTORY) return 'dir';
  if (type === FileType.SYMLINK) return 'symlink';
  return 'file';
}

export function versionToCounters(version: VersionVector): Counter[] {
  // Sorted so equal vectors always encode to equal bytes.
  return Object.keys(version)
    .sort()
    .map((peerId) => ({ peerId, value: version[peerId] }));
}

export function countersToVersion(counters: Counter[]): VersionVector {
  const version: VersionVector = {};
  for (const { peerId, value } of counters) version[peerId] = Math.max(version[peerId] ?? 0, value);
  return version;
}

export function toFileEntry(entry: IndexEntry): FileEntry {
  return {
    path: entry.path,
    type: TO_WIRE_TYPE[entry.type],
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    mode: entry.mode,
    version: versionToCounters(entry.version),
    deleted: entry.deleted,
    digest: wireBytes(entry.digest),
    sequence: entry.sequence,
    symlinkTarget: entry.symlinkTarget,
    modifiedBy: entry.modifiedBy,
  };
}

/** A remote peer's entry; inode is ours to observe, so it is 0 here. */
export function fromFileEntry(entry: FileEntry): IndexEntry {
  return {
    path: entry.path,
    type: fromWireType(entry.type),
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    mode: entry.mode & 0o777,
    digest: Buffer.from(entry.digest),
    symlinkTarget: entry.symlinkTarget,
    inode: 0,
    version: countersToVersion(entry.version),
    deleted: entry.deleted,
    sequence: entry.sequence,
    modifiedBy: entry.modifiedBy,
  };
}

/** A Buffer as the generated types' bytes field, without copying. */
export function wireBytes(data: Buffer): Uint8Array<ArrayBuffer> {
  return data as unknown as Uint8Array<ArrayBuffer>;
}
