/**
 * The syntax of a share-relative path, the one rule for every path leftsync
 * holds: relative to the share root, '/'-separated, no empty, '.' or '..'
 * segment, no NUL, no backslash (a separator on Windows peers: refusing it
 * keeps one meaning everywhere), no drive letter, bounded length. The protocol
 * validator applies it to every path a peer sends; src/fs/ applies it before
 * touching the disk (and then also refuses symlinked parents). Syntax only: NFC
 * is the caller's business.
 */

/** A path, in UTF-8 bytes (Linux PATH_MAX). */
export const MAX_PATH_BYTES = 4096;
/** One segment of a path, in UTF-8 bytes (Linux NAME_MAX). */
export const MAX_SEGMENT_BYTES = 255;

/** Why `path` is not a valid share-relative path, or null when it is. */
export function pathProblem(path: string): string | null {
  if (typeof path !== 'string' || path.length === 0) return 'empty path';
  if (path.includes('\0')) return 'NUL byte in path';
  if (path.includes('\\')) return 'backslash in path';
  if (Buffer.byteLength(path, 'utf8') > MAX_PATH_BYTES) return `path longer than ${MAX_PATH_BYTES} bytes`;
  if (path.startsWith('/')) return 'absolute path';
  if (/^[A-Za-z]:/.test(path)) return 'drive letter';
  for (const segment of path.split('/')) {
    if (segment === '') return 'empty path segment (leading, trailing or double "/")';
    if (segment === '.' || segment === '..') return `"${segment}" segment in path`;
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return `path segment longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  return null;
}

/** `name` inside folder `dir` ('' is the share root). */
export function joinRelPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/** The folder holding `relPath` ('' for the share root's children): joinRelPath's inverse. */
export function parentRelPath(relPath: string): string {
  const slash = relPath.lastIndexOf('/');
  return slash < 0 ? '' : relPath.slice(0, slash);
}
