/**
 * The reconciler: given what we have for a path and what a peer announced for
 * it, decide what to do. PURE: no I/O, no clock; the session carries out the
 * decision. Version vectors decide; when they are concurrent the winner is chosen
 * by a rule every peer evaluates identically, and only the side whose local
 * version lost acts (keeps its version under a conflict name, takes the winner).
 */
import type { IndexEntry, VersionVector } from '../model/entries.js';
import { conflictName } from './conflict-name.js';
import { compareVersions, mergeVersions, type VersionOrder } from '../model/version.js';

/** What makes the remote version appear locally, by its type. */
export type ApplyAction = 'pull' | 'mkdir' | 'symlink' | 'delete';

/** An entry below our folder, beside the remote peer's entry for the same path (undefined: it announced none). */
export interface BelowFolder {
  local: IndexEntry;
  remote: IndexEntry | undefined;
}

export type Decision =
  /** Nothing to do: same version, or ours dominates, or ours won a conflict. */
  | { action: 'none'; order: VersionOrder | 'absent' }
  /** The remote version dominates (or won against our deletion): make it ours. */
  | { action: ApplyAction; order: VersionOrder | 'absent' }
  /** Concurrent but identical content: adopt the union of both version vectors. */
  | { action: 'merge'; order: 'concurrent'; version: IndexEntry['version'] }
  /**
   * Concurrent, different content, and our local version lost: keep it as
   * `conflictPath`, then apply the winner with `then`.
   */
  | { action: 'conflict'; order: 'concurrent'; conflictPath: string; then: Exclude<ApplyAction, 'delete'> }
  /**
   * The remote replaces our folder by a file or link, but the folder holds content
   * the remote has not seen (a live entry below it that the remote has no version
   * of, or an older or concurrent one): removing the folder would lose that content
   * and creating it on the remote side is impossible. Our folder is recorded again
   * as a local change (our counter bumped over our own version), which makes it
   * concurrent with the remote's file; every peer then resolves that conflict the
   * same way: the folder wins, the file is kept under a conflict name.
   */
  | { action: 'keep-folder'; order: 'lesser' };

/** The action that makes `remote` (a live or deleted entry) appear locally. */
export function applyActionFor(remote: IndexEntry): ApplyAction {
  if (remote.deleted) return 'delete';
  if (remote.type === 'dir') return 'mkdir';
  if (remote.type === 'symlink') return 'symlink';
  return 'pull';
}

/** Same observable content: type, presence, bytes or link target (not mtime, not mode). */
export function sameContent(a: IndexEntry, b: IndexEntry): boolean {
  if (a.deleted || b.deleted) return a.deleted && b.deleted;
  if (a.type !== b.type) return false;
  if (a.type === 'file') return a.size === b.size && a.digest.equals(b.digest);
  if (a.type === 'symlink') return a.symlinkTarget === b.symlinkTarget;
  return true;
}

/**
 * Deterministic winner of two concurrent versions, the same on every peer: a live
 * version beats a deletion; a folder beats a file or link (it may hold content; the
 * file survives as a conflict copy, a folder under a conflict name would move all
 * of it); else the newer mtime; else the larger modifiedBy; else the larger digest.
 * Returns true when `a` wins.
 */
export function winsConflict(a: IndexEntry, b: IndexEntry): boolean {
  if (a.deleted !== b.deleted) return !a.deleted;
  if (!a.deleted && (a.type === 'dir') !== (b.type === 'dir')) return a.type === 'dir';
  if (a.mtimeMs !== b.mtimeMs) return a.mtimeMs > b.mtimeMs;
  if (a.modifiedBy !== b.modifiedBy) return a.modifiedBy > b.modifiedBy;
  return Buffer.compare(a.digest, b.digest) > 0;
}

/** True when `remote` would replace our live folder by a file or link: the case where `below` matters. */
export function replacesFolder(local: IndexEntry | undefined, remote: IndexEntry): boolean {
  return local !== undefined && !local.deleted && local.type === 'dir' && !remote.deleted && remote.type !== 'dir';
}

/** A live entry below the folder whose version the remote has not seen (none, older or concurrent). */
function holdsUnseenContent(below: readonly BelowFolder[]): boolean {
  return below.some(({ local, remote }) => {
    if (local.deleted) return false;
    if (remote === undefined) return true;
    const order = compareVersions(local.version, remote.version);
    return order === 'greater' || order === 'concurrent';
  });
}

/**
 * `below`: when `replacesFolder(local, remote)`, the entries of our index below
 * that folder, each with the remote peer's entry for its path; ignored otherwise.
 */
export function reconcile(local: IndexEntry | undefined, remote: IndexEntry, below: readonly BelowFolder[] = []): Decision {
  if (local === undefined) {
    // A tombstone for something we never had: nothing to remove.
    if (remote.deleted) return { action: 'none', order: 'absent' };
    return { action: applyActionFor(remote), order: 'absent' };
  }
  const order = compareVersions(local.version, remote.version);
  if (order === 'equal' || order === 'greater') return { action: 'none', order };
  if (order === 'lesser') {
    if (replacesFolder(local, remote) && holdsUnseenContent(below)) return { action: 'keep-folder', order };
    // Both deleted: nothing on disk changes, but recording the newer tombstone
    // keeps us from announcing a stale one.
    return { action: applyActionFor(remote), order };
  }
  if (sameContent(local, remote)) {
    return { action: 'merge', order, version: mergeVersions(local.version, remote.version) };
  }
  if (winsConflict(local, remote)) return { action: 'none', order };
  // Our version lost. A lost deletion needs no copy: the winner simply comes back.
  if (local.deleted) return { action: applyActionFor(remote), order };
  const then = applyActionFor(remote);
  if (then === 'delete') {
    // Unreachable: a live version always beats a deletion.
    return { action: 'none', order };
  }
  return {
    action: 'conflict',
    order,
    conflictPath: conflictName(local.path, local.mtimeMs, local.modifiedBy),
    then,
  };
}

/**
 * Whether reconcile(local, remote) acts (any action but 'none'), decided from
 * local's version alone wherever that settles it: absent, equal, greater or
 * lesser. Only concurrent versions need the whole entry, which `local` reads.
 * For a check asked of every entry a peer announces (most are echoes of our own
 * versions), where reading and building the whole row was most of the cost.
 */
export function wouldAct(localVersion: VersionVector | undefined, remote: IndexEntry, local: () => IndexEntry | undefined): boolean {
  // Absent: only a tombstone asks nothing (see reconcile).
  if (localVersion === undefined) return !remote.deleted;
  const order = compareVersions(localVersion, remote.version);
  if (order === 'equal' || order === 'greater') return false;
  // Lesser: the remote's action, or keep-folder; never 'none'.
  if (order === 'lesser') return true;
  return reconcile(local(), remote).action !== 'none';
}
