/**
 * Index entries cut into frames: by count (the caller's batch size) and by an
 * estimate of their encoded size, so even long paths never exceed the frame limit.
 */
import type { FileEntry } from '../protocol/messages.js';

/** Encoded bytes per Index frame we aim under: far below MAX_FRAME_BYTES even with long paths. */
export const FRAME_BUDGET_BYTES = 1024 * 1024;

/** A generous upper estimate of one entry's encoded size. */
function entryBytes(entry: FileEntry): number {
  let bytes = 64 + entry.digest.length + Buffer.byteLength(entry.path) + Buffer.byteLength(entry.symlinkTarget);
  bytes += Buffer.byteLength(entry.modifiedBy);
  for (const counter of entry.version) bytes += 16 + Buffer.byteLength(counter.peerId);
  return bytes;
}

/** Cuts entries into frames under the byte budget; always at least one (possibly empty) frame. */
export function splitByBytes(entries: FileEntry[]): FileEntry[][] {
  const frames: FileEntry[][] = [[]];
  let size = 0;
  for (const entry of entries) {
    const bytes = entryBytes(entry);
    if (size + bytes > FRAME_BUDGET_BYTES && frames[frames.length - 1]!.length > 0) {
      frames.push([]);
      size = 0;
    }
    frames[frames.length - 1]!.push(entry);
    size += bytes;
  }
  return frames;
}
