/**
 * Carries out a reconcile decision for one path: the I/O twin of the pure
 * reconciler, and the one place that applies anything (a pulled file, a folder,
 * a link, a deletion, a conflict rename). Every write goes through src/fs; every
 * change is recorded in the index, holding the scan lock, so it is announced
 * onward and never mistaken for a local edit. Decisions are re-derived from the
 * current index right before acting, so a queued decision never acts on stale state.
 */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import { atomicReplace, createSymlink, makeDir, removeEntry, renameToConflict, setAttributes } from '../fs/write.js';
import { placeTempFiles } from '../fs/batch-write.js';
import { unlink } from 'node:fs/promises';
import { resolveSharePath } from '../fs/paths.js';
import type { IndexEntry, StoredChunk, SyncIndex } from '../model/entries.js';
import { matchesStats, observedMtimeMs, type SeenFile } from '../model/file-stats.js';
import type { Logger } from '../log.js';
import { reconcile, sameContent, type ApplyAction } from '../reconcile/reconcile.js';
import type { ScanLock } from '../scanner/scan-lock.js';
import { singleChunkOf, type Puller, type VerifiedFile } from '../transfer/puller.js';
import type { PeerEvents } from '../status/peer-events.js';

export interface ApplierOptions {
  index: SyncIndex;
  shareDir: string;
  puller: Puller;
  /** Applied files, folders, links, deletions and conflicts, for the status API and --json. */
  events: PeerEvents;
  /** Rescans these share paths into the index (the scanner). */
  rescan(paths: string[]): Promise<void>;
  /** Held by every change-then-record step, so no scan runs in between. */
  scanLock: ScanLock;
  log: Logger;
}

/**
 * 'applied': the index changed (announce it). 'unchanged': nothing to do.
 * 'rescanned': the local side changed under us; reconcile this path again.
 * 'waiting': the source no longer has that version; its next update will come.
 * 'blocked': could not apply yet (e.g. a folder that still has content); retry later.
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'rescanned' | 'waiting' | 'blocked';

export class Applier {
  constructor(private readonly options: ApplierOptions) {}

  async apply(remote: IndexEntry): Promise<ApplyOutcome> {
    const { index, shareDir, log } = this.options;
    const local = index.get(remote.path);
    const decision = reconcile(local, remote);
    switch (decision.action) {
      case 'none':
        return 'unchanged';
      case 'merge':
        index.recordMergedVersion(remote.path, decision.version);
        log.debug('sync.merged', { path: remote.path });
        return 'applied';
      case 'conflict': {
        let kept: string;
        try {
          kept = await renameToConflict(shareDir, remote.path, decision.conflictPath);
        } catch (err) {
          // Our loser is already gone from disk: let the scanner say so, then decide again.
          if (errnoOf(err) === 'ENOENT') return this.rescanned(remote.path);
          throw err;
        }
        log.info('sync.conflict', { path: remote.path, keptAs: kept, winner: remote.modifiedBy });
        this.options.events.conflict(remote.path, kept, remote.modifiedBy);
        // The index learns both facts: the copy is a new local file, the path is free.
        await this.options.rescan([kept, remote.path]);
        return this.carryOut(decision.then, remote, local, true);
      }
      default:
        return this.carryOut(decision.action, remote, local, false);
    }
  }

  /**
   * Applies several paths whose remote entries are small files (singleChunkOf):
   * pulled together, placed together in one scan-locked step (placeTempFiles:
   * one fsync per folder) and recorded in one index transaction. A path whose
   * decision is not such a pull any more, or whose version the peer no longer
   * has, is applied alone. One outcome per path ('failed': logged here).
   */
  async applyBatch(remotes: IndexEntry[]): Promise<(ApplyOutcome | 'failed')[]> {
    const { index, puller, shareDir, log } = this.options;
    const outcomes: (ApplyOutcome | 'failed')[] = remotes.map(() => 'failed');
    const alone: number[] = [];
    const batch: { i: number; expect: IndexEntry | null; sequence: number | undefined }[] = [];
    remotes.forEach((remote, i) => {
      const local = index.get(remote.path);
      const live = local !== undefined && !local.deleted ? local : undefined;
      const plain = reconcile(local, remote).action === 'pull' && singleChunkOf(remote) !== null;
      if (plain && (live === undefined || (live.type === 'file' && !sameContent(live, remote)))) {
        batch.push({ i, expect: live ?? null, sequence: local?.sequence });
      } else alone.push(i);
    });
    const pulled = await puller.pullSmall(batch.map((b) => remotes[b.i]!));
    const ready: { i: number; expect: IndexEntry | null; sequence: number | undefined; file: VerifiedFile }[] = [];
    pulled.forEach((result, k) => {
      const { i } = batch[k]!;
      if (result.outcome === 'verified') ready.push({ ...batch[k]!, file: result.file });
      else if (result.outcome === 'gone') alone.push(i);
      else log.warn('sync.apply_failed', { path: remotes[i]!.path, err: result.error });
    });
    const placed: { remote: IndexEntry; file: VerifiedFile }[] = [];
    const changed: string[] = [];
    await this.scanPaused(async () => {
      // A change recorded since the decision (a scan ran first) makes it stale.
      const fresh = ready.filter((r) => index.get(remotes[r.i]!.path)?.sequence === r.sequence);
      for (const r of ready) if (!fresh.includes(r)) changed.push(remotes[r.i]!.path);
      const results = await placeTempFiles(shareDir, fresh.map((r) => ({ relPath: remotes[r.i]!.path, tempPath: r.file.tempPath, expect: r.expect })));
      index.batch(() => {
        fresh.forEach((r, k) => {
          const result = results[k]!;
          const remote = remotes[r.i]!;
          if (!(result instanceof LeftsyncError)) {
            this.recordPlaced(remote, result, r.file.chunks);
            placed.push({ remote, file: r.file });
            outcomes[r.i] = 'applied';
          } else if (result.code === ErrorCode.LOCAL_CHANGED || errnoOf(result) === 'ENOENT') changed.push(remote.path);
          else log.warn('sync.apply_failed', { path: remote.path, err: result });
        });
      });
    });
    for (const r of ready) {
      if (outcomes[r.i] === 'applied') {
        r.file.progress.synced(r.file.counts.bytesReceived);
        continue;
      }
      r.file.progress.end();
      await unlink(r.file.tempPath).catch(() => undefined); // no partial owns it
    }
    if (placed.length > 0) await puller.placed(placed);
    if (changed.length > 0) {
      log.info('sync.local_changed', { path: changed[0], paths: changed.length });
      await this.options.rescan(changed);
      for (const r of ready) if (changed.includes(remotes[r.i]!.path)) outcomes[r.i] = 'rescanned';
    }
    for (const i of alone) outcomes[i] = await this.apply(remotes[i]!).catch((err: unknown) => {
      log.warn('sync.apply_failed', { path: remotes[i]!.path, err });
      return 'failed' as const;
    });
    return outcomes;
  }

  private async carryOut(action: ApplyAction, remote: IndexEntry, local: IndexEntry | undefined, freed: boolean): Promise<ApplyOutcome> {
    const { index, shareDir, puller } = this.options;
    // The index records `remote` with the union of both histories (ours may be
    // concurrent: a lost conflict or deletion), taken when it records, so our own
    // counter never vanishes even if a scan recorded a change meanwhile.
    // The index entry this decision was made against. A step that waited for a scan
    // re-checks it: a change recorded meanwhile (a re-created file, a new mode) means
    // the decision is stale and must be made again, not carried out.
    const base = index.get(remote.path);
    const stale = (): boolean => index.get(remote.path)?.sequence !== base?.sequence;
    try {
      const live = !freed && local !== undefined && !local.deleted ? local : undefined;
      switch (action) {
        case 'pull': {
          if (live !== undefined && live.type === 'file' && sameContent(live, remote)) {
            return await this.adoptMetadata(remote, live, stale);
          }
          // A folder or link in the way of a file is removed first (a folder only when empty).
          if (live !== undefined && live.type !== 'file') await removeEntry(shareDir, remote.path);
          const pulled = await puller.pull(remote);
          if (pulled.outcome === 'gone') return 'waiting';
          try {
            return await this.placeFile(remote, pulled.file, live !== undefined && live.type === 'file' ? live : null);
          } finally {
            pulled.file.progress.end(); // no-op once synced
          }
        }
        case 'mkdir':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined && live.type !== 'dir') await removeEntry(shareDir, remote.path, this.expectFile(live));
            await makeDir(shareDir, remote.path, remote.mode);
            const stats = await this.lstat(remote.path);
            this.recordPlaced(remote, stats, []);
            this.options.events.applied(remote, live);
            return 'applied';
          });
        case 'symlink':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined && live.type === 'dir') await removeEntry(shareDir, remote.path);
            else if (live !== undefined && live.type === 'file') await removeEntry(shareDir, remote.path, this.expectFile(live));
            const stats = await createSymlink(shareDir, remote.path, remote.symlinkTarget, remote.mtimeMs);
            this.recordPlaced(remote, stats, []);
            this.options.events.applied(remote, live);
            return 'applied';
          });
        case 'delete':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined) await removeEntry(shareDir, remote.path, this.expectFile(live));
            index.recordApplied({ ...remote, inode: 0 }, []);
            this.options.events.applied(remote, live);
            return 'applied';
          });
      }
    } catch (err) {
      if (err instanceof LeftsyncError && err.code === ErrorCode.LOCAL_CHANGED) return this.rescanned(remote.path);
      if (isNotEmptyDir(err)) return 'blocked';
      // Something we were about to touch vanished: the user is at work; look again.
      if (errnoOf(err) === 'ENOENT') return this.rescanned(remote.path);
      throw err;
    }
  }

  /**
   * Moves a verified temp file over what the scanner last saw at the path
   * (`expect`: null = nothing) and records it. A local edit since then is never
   * overwritten: the temp file and its verified chunks stay for the next attempt.
   */
  private async placeFile(remote: IndexEntry, file: VerifiedFile, expect: SeenFile | null): Promise<ApplyOutcome> {
    const { index, shareDir, puller, log } = this.options;
    const recorded = await this.scanPaused(async () => {
      let placed;
      try {
        placed = await atomicReplace(shareDir, remote.path, file.tempPath, { expect, tempFinished: true });
      } catch (err) {
        if (err instanceof LeftsyncError && err.code === ErrorCode.LOCAL_CHANGED) return false;
        throw err;
      }
      this.recordPlaced(remote, placed, file.chunks);
      return true;
    });
    if (!recorded) {
      log.info('transfer.local_changed', { path: remote.path });
      return this.rescanned(remote.path);
    }
    file.progress.synced(file.counts.bytesReceived);
    await puller.placed([{ remote, file }]);
    return 'applied';
  }

  /** Same bytes already here: only mode, mtime and version change (no copy). */
  private async adoptMetadata(remote: IndexEntry, live: IndexEntry, stale: () => boolean): Promise<ApplyOutcome> {
    const { index, shareDir } = this.options;
    const adopted = await this.scanPaused(async () => {
      if (stale()) return false;
      const before = await this.lstat(remote.path);
      if (!matchesStats(live, before)) return false;
      const stats = await setAttributes(shareDir, remote.path, { mode: remote.mode, mtimeMs: remote.mtimeMs });
      this.recordPlaced(remote, stats, index.chunksOf(remote.path));
      this.options.events.applied(remote, live);
      return true;
    });
    return adopted ? 'applied' : this.rescanned(remote.path);
  }

  /** Records `remote` as applied, with the inode and mtime of what we placed (so the scanner sees it as unchanged). */
  private recordPlaced(remote: IndexEntry, placed: Stats, chunks: StoredChunk[]): void {
    this.options.index.recordApplied({ ...remote, inode: placed.ino, mtimeMs: observedMtimeMs(placed) }, chunks);
  }

  private scanPaused<T>(step: () => Promise<T>): Promise<T> {
    return this.options.scanLock.exclusive(step);
  }

  /** What the scanner last saw of a file, so removing it never takes a newer local edit. */
  private expectFile(local: IndexEntry): SeenFile | undefined {
    return local.type === 'file' ? local : undefined;
  }

  private async lstat(relPath: string): Promise<Stats> {
    try {
      return await lstat(await resolveSharePath(this.options.shareDir, relPath));
    } catch (err) {
      throw fromSystemError(err, `lstat ${relPath}`);
    }
  }

  /** The index changed since the decision (a scan ran first): decide again with what it holds now. */
  private staleDecision(relPath: string): ApplyOutcome {
    this.options.log.info('sync.local_changed', { path: relPath, stage: 'before-apply' });
    return 'rescanned';
  }

  private async rescanned(relPath: string): Promise<ApplyOutcome> {
    this.options.log.info('sync.local_changed', { path: relPath });
    await this.options.rescan([relPath]);
    return 'rescanned';
  }
}

function errnoOf(err: unknown): string | undefined {
  const cause = err instanceof LeftsyncError ? (err.cause as NodeJS.ErrnoException | undefined) : (err as NodeJS.ErrnoException);
  return cause?.code;
}

function isNotEmptyDir(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}
