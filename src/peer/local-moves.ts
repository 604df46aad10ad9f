/**
 * A rename the peer announced, applied as a move on our disk. A small file
 * arriving under a new name whose bytes a local file holds, when the peer's
 * entry for that local file is a tombstone we would apply as a plain delete,
 * is the same file moved: the old file is moved to the new name (src/fs/move.ts)
 * instead of being copied into a temp file, fsynced, placed, and deleted later.
 * Both facts are recorded together, the new name first (so a peer further down
 * the line sees the pair in one update and can do the same).
 *
 * Nothing unverified is placed: a small file's bytes are read and checked
 * against the announced chunk hash first; a large one (applyLocalMove) is
 * trusted by its stat, as the scanner and the supplier trust an unchanged
 * file's indexed hashes (reading 200 MiB to move it cost most of a rename).
 * Either way, inside the scan lock it must still be exactly as indexed
 * (size, mtime, inode). Anything short of that (another file with the same
 * bytes, the tombstone not here yet, a mode or mtime that differs, a local
 * edit) leaves the path to the ordinary pull, which copies locally.
 * Syncthing does the same for files whose blocks a deletion of the same batch holds.
 */
import { LeftsyncError } from '../errors.js';
import { moveFiles, type Move } from '../fs/move.js';
import type { IndexEntry, StoredChunk, VersionVector } from '../model/entries.js';
import { reconcile } from '../reconcile/reconcile.js';
import { readVerifiedAt } from '../transfer/chunk-io.js';
import type { PullProgress } from '../transfer/progress.js';
import { singleChunkOf } from '../transfer/puller.js';
import type { VerifiedFile } from '../transfer/verified-file.js';
import type { ApplierOptions } from './apply-types.js';
import { recordPlaced } from './created-folders.js';

/** A small-file pull the batch planned: nothing at the path (`expect` null) makes it a move candidate. */
export interface PlannedPull {
  i: number;
  expect: IndexEntry | null;
  decidedOn: VersionVector;
}

interface Candidate {
  /** Reported back when the move was made (PlannedPull.i; 0 for a single file). */
  key: number;
  remote: IndexEntry;
  /** The version the decision saw at the new name (see recordApplied's decidedOn). */
  decidedOn: VersionVector;
  /** Our entry of the old name, and the peer's tombstone for it. */
  local: IndexEntry;
  tombstone: IndexEntry;
  /** The moved file's chunks (the same version, so the same list). */
  chunks: StoredChunk[];
}

const NO_PROGRESS: PullProgress = { add() {}, synced() {}, end() {} };

/** Moves what it can; returns the indexes (PlannedPull.i) of the paths it applied. */
export async function applyLocalMoves(options: ApplierOptions, remotes: IndexEntry[], planned: PlannedPull[]): Promise<Set<number>> {
  return carryOutMoves(options, await findMoves(options, remotes, planned));
}

/**
 * A file of any size pulled alone, with nothing at its path: moved from the old
 * name when it is a rename (as applyLocalMoves), its bytes trusted by the old
 * file's stat. True when it was moved and recorded.
 */
export async function applyLocalMove(options: ApplierOptions, remote: IndexEntry, decidedOn: VersionVector): Promise<boolean> {
  const candidate = moveCandidate(options, remote, 0, decidedOn, new Set());
  if (candidate === undefined) return false;
  return (await carryOutMoves(options, [candidate])).size > 0;
}

async function carryOutMoves(options: ApplierOptions, candidates: Candidate[]): Promise<Set<number>> {
  const done = new Set<number>();
  if (candidates.length === 0) return done;
  const { index, shareDir, log, events, puller } = options;
  const startedMs = Date.now();
  const placed: { remote: IndexEntry; file: VerifiedFile }[] = [];
  await options.scanLock.exclusive(async () => {
    await options.share.check();
    // Decided outside the lock: both names must still be as the decision saw them.
    const current = candidates.filter((c) => {
      const now = index.get(c.local.path);
      const at = index.get(c.remote.path);
      return now?.sequence === c.local.sequence && (at === undefined || at.deleted);
    });
    const moves: Move[] = current.map((c) => ({ from: c.local.path, to: c.remote.path, expect: c.local }));
    const results = await moveFiles(shareDir, moves);
    index.batch(() => {
      current.forEach((c, k) => {
        const result = results[k]!;
        if (result instanceof LeftsyncError) {
          log.debug('sync.move_skipped', { path: c.remote.path, from: c.local.path, err: result });
          return;
        }
        // As any placement: with the folders the move made above the new name.
        recordPlaced(options, c.remote, result, c.chunks, c.decidedOn);
        index.recordApplied({ ...c.tombstone, inode: 0 }, [], c.local.version);
        events.applied(c.remote, undefined);
        events.applied(c.tombstone, c.local);
        log.info('sync.moved', { path: c.remote.path, from: c.local.path, by: c.remote.modifiedBy });
        const counts = { reused: c.chunks.length, resumed: 0, fetched: 0, bytesReceived: 0, treeNodes: 0, treeBytes: 0 };
        placed.push({ remote: c.remote, file: { tempPath: '', tempName: '', chunks: c.chunks, counts, startedMs, progress: NO_PROGRESS } });
        done.add(c.key);
      });
    });
  });
  // Counted and logged as a pull that reused every chunk (transfer.done), as the copy it replaces was.
  if (placed.length > 0) await puller.placed(placed);
  return done;
}

/**
 * `remote` (a new name, nothing at it here) as a move of a local file the peer
 * deleted: same bytes (digest), mode and mtime, and the peer's tombstone for the
 * old name one we would apply as a plain delete.
 */
function moveCandidate(options: ApplierOptions, remote: IndexEntry, key: number, decidedOn: VersionVector, claimed: Set<string>): Candidate | undefined {
  const { index, remotePeerId } = options;
  // Empty files are many and alike: copying one costs nothing worth a guess.
  if (remote.deleted || remote.type !== 'file' || remote.size === 0) return undefined;
  const from = index.fileWithDigest(remote.digest);
  if (from === undefined || from === remote.path || claimed.has(from)) return undefined;
  const local = index.get(from);
  if (local === undefined || local.deleted || local.type !== 'file' || local.mode !== remote.mode || local.mtimeMs !== remote.mtimeMs) return undefined;
  const tombstone = index.remoteEntry(remotePeerId, from);
  if (tombstone === undefined || !tombstone.deleted || reconcile(local, tombstone).action !== 'delete') return undefined;
  const chunks = singleChunkOf(remote) ?? index.chunksOf(from);
  claimed.add(from);
  return { key, remote, decidedOn, local, tombstone, chunks };
}

/** The planned pulls that are moves of a local file the peer deleted, its bytes checked. */
async function findMoves(options: ApplierOptions, remotes: IndexEntry[], planned: PlannedPull[]): Promise<Candidate[]> {
  const claimed = new Set<string>();
  const found: Candidate[] = [];
  for (const p of planned) {
    const remote = remotes[p.i]!;
    if (p.expect !== null || singleChunkOf(remote) === null) continue;
    const candidate = moveCandidate(options, remote, p.i, p.decidedOn, claimed);
    if (candidate !== undefined) found.push(candidate);
  }
  // The reads overlap (each is open + read + close in the thread pool); a file that fails its check is pulled instead.
  const verified = await Promise.all(
    found.map(({ remote, local }) => {
      const chunk = singleChunkOf(remote)![0]!;
      // A 'file' location is read from the share; the state folder (last argument) is not used for it.
      return readVerifiedAt({ kind: 'file', path: local.path, offset: 0, length: chunk.length }, chunk.hash, options.shareDir, '');
    }),
  );
  return found.filter((_, k) => verified[k] !== undefined);
}
