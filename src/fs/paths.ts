/**
 * Path safety: every share-relative path that leftsync touches goes through
 * resolveSharePath first, so no write ever lands outside the share root.
 */
import { constants, lstatSync, type Stats } from 'node:fs';
import path from 'node:path';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { pathProblem } from '../model/path.js';

/**
 * How a file of the share is opened for a synchronous read (the scanner's and
 * the supplier's small files). O_NOFOLLOW: an indexed file is not a link, and a
 * link swapped in since its lstat fails (ELOOP) instead of being read through.
 * O_NONBLOCK: a FIFO swapped in would otherwise block the open, and with it the
 * whole process, until a writer came; a regular file ignores the flag.
 */
export const SYNC_READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * The lstat of `absPath`, or null when nothing is there (ENOENT); other errors,
 * ENOTDIR among them, throw. Synchronous, and a miss is answered without an
 * exception: building Node's error for ENOENT cost 8-16 us, paid for every new
 * file a batch places.
 */
export function lstatOrNull(absPath: string): Stats | null {
  return lstatSync(absPath, { throwIfNoEntry: false }) ?? null;
}

/** lstatOrNull, with null for any error too: for callers that leave a name they cannot look at alone. */
export function lstatIfReadable(absPath: string): Stats | null {
  try {
    return lstatOrNull(absPath);
  } catch {
    return null;
  }
}

function unsafe(relPath: string, why: string): LeftsyncError {
  return new LeftsyncError(ErrorCode.UNSAFE_PATH, `unsafe path ${JSON.stringify(relPath)}: ${why}`);
}

/**
 * Checks `relPath` against the one path rule (src/model/path.ts) and returns its
 * segments. Throws UNSAFE_PATH for anything that could name a place outside the
 * share or is ambiguous across platforms.
 */
export function checkRelativePath(relPath: string): string[] {
  const problem = pathProblem(relPath);
  if (problem !== null) throw unsafe(String(relPath), problem);
  return relPath.split('/');
}

/**
 * The absolute path of `relPath` inside `root`. Rejects unsafe syntax and any
 * existing parent component that is a symlink or not a directory (checked with
 * lstat on every parent, so a link is never followed out of the share). The last
 * component itself may be anything: callers act on it without following it
 * (rename over it, unlink it, lstat it).
 * The lstat calls are synchronous: a parent's lstat is answered from the
 * dentry cache in microseconds, while a thread-pool round trip per parent cost
 * the supplier ~0.2 ms per small file it served (half of its CPU in a burst).
 * `checkedParents` (absolute paths) skips parents already checked and collects
 * those checked now: for one step over many files of a folder, such as one
 * chunk request, never to be kept longer.
 */
export async function resolveSharePath(root: string, relPath: string, checkedParents?: Set<string>): Promise<string> {
  const segments = checkRelativePath(relPath);
  // Segments passed the path rule (no '', '.', '..' or separator): appending them is what path.join would give.
  let current = baseOf(root);
  for (let i = 0; i < segments.length - 1; i++) {
    current = current + path.sep + segments[i]!;
    if (checkedParents?.has(current) === true) continue;
    let stats;
    try {
      stats = lstatOrNull(current);
    } catch (err) {
      throw fromSystemError(err, `lstat ${current}`);
    }
    // A missing parent cannot be a link; the rest of the chain does not exist either.
    if (stats === null) return current + path.sep + segments.slice(i + 1).join(path.sep);
    if (stats.isSymbolicLink()) throw unsafe(relPath, `parent '${segments.slice(0, i + 1).join('/')}' is a symlink`);
    if (!stats.isDirectory()) {
      throw new LeftsyncError(ErrorCode.IO, `${relPath}: parent '${segments.slice(0, i + 1).join('/')}' is not a directory`);
    }
    checkedParents?.add(current);
  }
  return current + path.sep + segments[segments.length - 1]!;
}

/** `root` normalized, without a trailing separator ('' for the filesystem's root), for segments to be appended to. */
function baseOf(root: string): string {
  const joined = path.join(root);
  return joined.endsWith(path.sep) ? joined.slice(0, -1) : joined;
}

/** '/'-separated path of `absPath` relative to `root`, or null when outside it. */
export function toRelativePath(root: string, absPath: string): string | null {
  const rel = path.relative(root, absPath);
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

/**
 * The state folder's rule: leftsync never scans, watches, applies or announces
 * anything at or below it, whatever the ignore rules say. Returns the test for
 * share-relative paths; it is always false when the state folder is outside the share.
 */
export function stateFolderTest(shareDir: string, stateDir: string): (relPath: string) => boolean {
  const stateRel = toRelativePath(path.resolve(shareDir), path.resolve(stateDir));
  if (stateRel === null) return () => false;
  return (relPath) => relPath === stateRel || relPath.startsWith(`${stateRel}/`);
}
