/**
 * Path syntax on the wire. A wire path is relative to the share root,
 * '/'-separated, with no empty, '.' or '..' segment, no NUL, no leading or
 * trailing '/', and bounded length. This is a syntax check only: src/fs/ still
 * resolves every path against the share root before touching the disk.
 */
import { MAX_PATH_BYTES, MAX_SEGMENT_BYTES } from './limits.js';

/** Returns why `path` is not a valid wire path, or null when it is. */
export function wirePathProblem(path: string): string | null {
  if (path.length === 0) return 'empty path';
  if (path.includes('\0')) return 'NUL byte in path';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return `path longer than ${MAX_PATH_BYTES} bytes`;
  if (path.startsWith('/')) return 'absolute path';
  for (const segment of path.split('/')) {
    if (segment === '') return 'empty path segment (leading, trailing or double "/")';
    if (segment === '.' || segment === '..') return `"${segment}" segment in path`;
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return `path segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return null;
}

export function isWirePath(path: string): boolean {
  return wirePathProblem(path) === null;
}
