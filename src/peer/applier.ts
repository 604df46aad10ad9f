/**
 * Carries out a reconcile decision for one path: the I/O twin of the pure
 * reconciler. Every write goes through src/fs; every change is recorded in the
 * index so it is announced onward. Decisions are re-derived from the current
 * index right before acting, so a queued decision never acts on stale state.
 */
import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { ErrorCode, LeftsyncError, fromSystemError } from '../errors.js';
import {
  createSymlink,
  makeDir,
  observedMtimeMs,
  removeEntry,
  renameToConflict,
  resolveSharePath,
  setAttributes,
  type ExpectedTarget,
} from '../fs/index.js';
import type { IndexEntry, SyncIndex } from '../index/types.js';
import type { Logger } from '../log.js';
import { reconcile, type ApplyAction } from '../reconcile/reconcile.js';
import type { Puller } from '../transfer/puller.js';

export interface ApplierOptions {
  index: SyncIndex;
  shareDir: string;
  puller: Puller;
  /** Rescans these share paths into the index (the scanner). */
  rescan(paths: string[]): Promise<void>;
  /** Keeps scans out of change-then-record steps (see SessionOptions.withScanPaused). */
  withScanPaused?<T>(step: () => Promise<T>): Promise<T>;
  log: Logger;
}

/**
 * 'applied': the index changed (announce it). 'unchanged': nothing to do.
 * 'rescanned': the local side changed under us; reconcile this path again.
 * 'waiting': the source no longer has that version; its next update will come.
 * 'blocked': could not apply yet (e.g. a folder that still has content); retry later.
 */
export type ApplyOutcome = 'applied' | 'unchanged' | 'rescanned' | 'waiting' | 'blocked';

/** What the scanner last saw at a path, to refuse overwriting a newer local edit. */
function expectedOf(local: IndexEntry | undefined): ExpectedTarget | null {
  if (local === undefined || local.deleted) return null;
  return { size: local.size, mtimeMs: local.mtimeMs, inode: local.inode };
}

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
        // The index learns both facts: the copy is a new local file, the path is free.
        await this.options.rescan([kept, remote.path]);
        return this.carryOut(decision.then, remote, local, true);
      }
      default:
        return this.carryOut(decision.action, remote, local, false);
    }
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
          if (live !== undefined && live.type === 'file' && live.size === remote.size && live.digest.equals(remote.digest)) {
            return await this.adoptMetadata(remote, live, stale);
          }
          // A folder or link in the way of a file is removed first (a folder only when empty).
          if (live !== undefined && live.type !== 'file') await removeEntry(shareDir, remote.path);
          const expect = live !== undefined && live.type === 'file' ? expectedOf(live) : null;
          const result = await puller.pull(remote, expect);
          if (result.outcome === 'gone') return 'waiting';
          if (result.outcome === 'local-changed') return this.rescanned(remote.path);
          return 'applied';
        }
        case 'mkdir':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined && live.type !== 'dir') await removeEntry(shareDir, remote.path, this.expectFile(live));
            await makeDir(shareDir, remote.path, remote.mode);
            const stats = await this.lstat(remote.path);
            index.recordApplied({ ...remote, inode: stats.ino, mtimeMs: observedMtimeMs(stats) }, []);
            this.options.log.info('sync.dir_created', { path: remote.path, from: remote.modifiedBy });
            return 'applied';
          });
        case 'symlink':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined && live.type === 'dir') await removeEntry(shareDir, remote.path);
            else if (live !== undefined && live.type === 'file') await removeEntry(shareDir, remote.path, this.expectFile(live));
            const stats = await createSymlink(shareDir, remote.path, remote.symlinkTarget, remote.mtimeMs);
            index.recordApplied({ ...remote, inode: stats.ino, mtimeMs: observedMtimeMs(stats) }, []);
            this.options.log.info('sync.symlink_placed', { path: remote.path, target: remote.symlinkTarget, from: remote.modifiedBy });
            return 'applied';
          });
        case 'delete':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined) await removeEntry(shareDir, remote.path, this.expectFile(live));
            index.recordApplied({ ...remote, inode: 0 }, []);
            if (live !== undefined) this.options.log.info('sync.deleted', { path: remote.path, type: live.type, from: remote.modifiedBy });
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

  /** Same bytes already here: only mode, mtime and version change (no copy). */
  private async adoptMetadata(remote: IndexEntry, live: IndexEntry, stale: () => boolean): Promise<ApplyOutcome> {
    const { index, shareDir } = this.options;
    const adopted = await this.scanPaused(async () => {
      if (stale()) return false;
      const before = await this.lstat(remote.path);
      if (!before.isFile() || before.size !== live.size || observedMtimeMs(before) !== live.mtimeMs || before.ino !== live.inode) {
        return false;
      }
      const stats = await setAttributes(shareDir, remote.path, { mode: remote.mode, mtimeMs: remote.mtimeMs });
      index.recordApplied({ ...remote, inode: stats.ino, mtimeMs: observedMtimeMs(stats) }, index.chunksOf(remote.path));
      return true;
    });
    return adopted ? 'applied' : this.rescanned(remote.path);
  }

  private scanPaused<T>(step: () => Promise<T>): Promise<T> {
    return this.options.withScanPaused ? this.options.withScanPaused(step) : step();
  }

  private expectFile(local: IndexEntry): ExpectedTarget | undefined {
    return local.type === 'file' ? (expectedOf(local) ?? undefined) : undefined;
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
