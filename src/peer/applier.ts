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
import { ErrorCode, LeftsyncError, errnoOf, fromSystemError } from '../errors.js';
import { atomicReplace, createSymlink, makeDir, removeEntry, renameToConflict, setAttributes } from '../fs/write.js';
import { placeTempFiles } from '../fs/batch-write.js';
import { unlink } from 'node:fs/promises';
import { resolveSharePath } from '../fs/paths.js';
import type { IndexEntry, VersionVector } from '../model/entries.js';
import { matchesStats, type SeenFile } from '../model/file-stats.js';
import { reconcile, replacesFolder, sameContent, type ApplyAction, type BelowFolder } from '../reconcile/reconcile.js';
import { isPausing } from './pause.js';
import { singleChunkOf } from '../transfer/puller.js';
import type { VerifiedFile } from '../transfer/verified-file.js';
import { applyDeletions, type DeletionOutcome } from './apply-deletions.js';
import { recordPlaced } from './created-folders.js';
import { applyLocalMove, applyLocalMoves } from './local-moves.js';
import type { ApplierOptions, ApplyOutcome } from './apply-types.js';


export class Applier {
  constructor(private readonly options: ApplierOptions) {}

  async apply(remote: IndexEntry): Promise<ApplyOutcome> {
    const { index, shareDir, log } = this.options;
    const local = index.get(remote.path);
    const decision = reconcile(local, remote, replacesFolder(local, remote) ? this.belowFolder(remote.path) : []);
    switch (decision.action) {
      case 'none':
        return 'unchanged';
      case 'keep-folder':
        return this.keepFolder(remote, local!);
      case 'merge':
        index.recordMergedVersion(remote.path, decision.version);
        log.debug('sync.merged', { path: remote.path });
        return 'applied';
      case 'conflict': {
        let kept: string | null;
        try {
          // In the scan lock, as every placement is: a copy placed under the name after
          // the rename looked for a free one would be replaced by the rename.
          kept = await this.scanPaused(async () =>
            (await this.keptAlready(local!, decision.conflictPath)) ? null : renameToConflict(shareDir, remote.path, decision.conflictPath),
          );
        } catch (err) {
          // Our loser is already gone from disk: let the scanner say so, then decide again.
          if (errnoOf(err) === 'ENOENT') return this.rescanned(remote.path);
          throw err;
        }
        if (kept === null) {
          // A peer that held our version resolved the same conflict first and its copy
          // came before the winner (every peer derives the same name from the loser):
          // a second copy of one version (`name-1`) would never go away. The copy holds
          // our bytes, so the winner replaces ours as it would any older version.
          log.info('sync.conflict', { path: remote.path, keptAs: decision.conflictPath, winner: remote.modifiedBy, copyExisted: true });
          this.options.events.conflict(remote.path, decision.conflictPath, remote.modifiedBy);
          return this.carryOut(decision.then, remote, local, false);
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
   * True when the loser's conflict name already holds a file with the loser's bytes,
   * as indexed and untouched on disk (a file whose bytes we cannot vouch for is not
   * a copy of ours: the rename then takes the next free name).
   */
  private async keptAlready(loser: IndexEntry, conflictPath: string): Promise<boolean> {
    const copy = this.options.index.get(conflictPath);
    if (loser.type !== 'file' || copy === undefined || !sameContent(copy, loser)) return false;
    const stats = await this.lstat(conflictPath).catch(() => undefined);
    return stats !== undefined && matchesStats(copy, stats);
  }

  /** Our entries below a folder, each beside what the remote peer announced for its path. */
  private belowFolder(dir: string): BelowFolder[] {
    const { index, remotePeerId } = this.options;
    return index.listUnder(dir).map((local) => ({ local, remote: index.remoteEntry(remotePeerId, local.path) }));
  }

  /**
   * The remote would replace our folder, which holds content it has not seen, by a
   * file or link: the folder is recorded as a new local version instead (see the
   * 'keep-folder' decision), so the conflict is resolved the same way everywhere.
   */
  private async keepFolder(remote: IndexEntry, local: IndexEntry): Promise<ApplyOutcome> {
    const { index, log } = this.options;
    const outcome = await this.scanPaused(async (): Promise<ApplyOutcome | 'gone'> => {
      if (index.get(remote.path)?.sequence !== local.sequence) return this.staleDecision(remote.path);
      const stats = await this.lstat(remote.path).catch(() => undefined);
      if (stats === undefined || !stats.isDirectory()) return 'gone';
      index.recordLocalChange(local, []);
      log.info('sync.folder_kept', { path: remote.path, over: remote.type, from: remote.modifiedBy });
      return 'applied';
    });
    // The folder went from disk since the last scan: let the scanner say so, then decide again.
    return outcome === 'gone' ? this.rescanned(remote.path) : outcome;
  }

  /**
   * Applies several paths whose remote entries are small files (singleChunkOf):
   * pulled together, placed together in one scan-locked step (placeTempFiles:
   * one syncfs, or one fsync per folder) and recorded in one index transaction. A path whose
   * decision is not such a pull any more, or whose version the peer no longer
   * has, is applied alone. One outcome per path ('failed': logged here).
   */
  async applyBatch(remotes: IndexEntry[]): Promise<(ApplyOutcome | 'failed' | 'paused')[]> {
    const { index, puller, shareDir, log } = this.options;
    const outcomes: (ApplyOutcome | 'failed' | 'paused')[] = remotes.map(() => 'failed');
    /** A full disk or a missing share pauses the path (retried without end), told once where found. */
    const failed = (i: number, err: unknown): void => {
      if (isPausing(err)) outcomes[i] = 'paused';
      else log.warn('sync.apply_failed', { path: remotes[i]!.path, err });
    };
    const alone: number[] = [];
    type Planned = { i: number; expect: IndexEntry | null; decidedOn: VersionVector };
    const batch: Planned[] = [];
    remotes.forEach((remote, i) => {
      const local = index.get(remote.path);
      const live = local !== undefined && !local.deleted ? local : undefined;
      const plain = reconcile(local, remote).action === 'pull' && singleChunkOf(remote) !== null;
      if (plain && (live === undefined || (live.type === 'file' && !sameContent(live, remote)))) {
        batch.push({ i, expect: live ?? null, decidedOn: local?.version ?? {} });
      } else alone.push(i);
    });
    // A file the peer renamed is moved here, not copied (see applyLocalMoves).
    const moved = await applyLocalMoves(this.options, remotes, batch);
    for (const i of moved) outcomes[i] = 'applied';
    const toPull = moved.size === 0 ? batch : batch.filter((b) => !moved.has(b.i));
    await this.options.share.check(); // the temp files live in the state folder, often inside the share
    const pulled = await puller.pullSmall(toPull.map((b) => remotes[b.i]!));
    const ready: (Planned & { file: VerifiedFile })[] = [];
    pulled.forEach((result, k) => {
      const { i } = toPull[k]!;
      if (result.outcome === 'verified') ready.push({ ...toPull[k]!, file: result.file });
      else if (result.outcome === 'gone') alone.push(i);
      else failed(i, result.error);
    });
    const placed: { remote: IndexEntry; file: VerifiedFile }[] = [];
    const changed: string[] = [];
    await this.scanPaused(async () => {
      // As for a single file (placeFile): what is on disk must still be what the
      // decision saw (`expect`), and a change a scan recorded meanwhile (a mode
      // change) keeps its counter in the recorded version (recordApplied's decidedOn).
      const results = await placeTempFiles(shareDir, ready.map((r) => ({ relPath: remotes[r.i]!.path, tempPath: r.file.tempPath, expect: r.expect })));
      index.batch(() => {
        ready.forEach((r, k) => {
          const result = results[k]!;
          const remote = remotes[r.i]!;
          if (!(result instanceof LeftsyncError)) {
            recordPlaced(this.options, remote, result, r.file.chunks, r.decidedOn);
            placed.push({ remote, file: r.file });
            outcomes[r.i] = 'applied';
          } else if (result.code === ErrorCode.LOCAL_CHANGED || errnoOf(result) === 'ENOENT') changed.push(remote.path);
          else failed(r.i, result);
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
    for (const i of alone) {
      outcomes[i] = await this.apply(remotes[i]!).catch((err: unknown) => {
        failed(i, err);
        return outcomes[i]!;
      });
    }
    return outcomes;
  }

  /** Applies several tombstones in one scan-locked step (see applyDeletions). */
  applyDeletions(remotes: IndexEntry[]): Promise<DeletionOutcome[]> {
    return applyDeletions(this.options, remotes, (remote) => this.apply(remote));
  }

  private async carryOut(action: ApplyAction, remote: IndexEntry, local: IndexEntry | undefined, freed: boolean): Promise<ApplyOutcome> {
    const { index, shareDir, puller } = this.options;
    // The index entry this decision was made against. A step that waited for a scan
    // re-checks it: a change recorded meanwhile (a re-created file, a new mode) means
    // the decision is stale and must be made again, not carried out.
    const base = index.get(remote.path);
    const stale = (): boolean => index.get(remote.path)?.sequence !== base?.sequence;
    // The index records `remote` with the remote's own vector while it still holds
    // `base` (a lost version's counters must not stay in the winner's entry), and
    // with the union when a scan recorded a change meanwhile (its counter stays).
    const decidedOn = base?.version ?? {};
    try {
      const live = !freed && local !== undefined && !local.deleted ? local : undefined;
      switch (action) {
        case 'pull': {
          if (live !== undefined && live.type === 'file' && sameContent(live, remote)) {
            return await this.adoptMetadata(remote, live, stale, decidedOn);
          }
          // A file the peer renamed is moved here from its old name, not copied (see applyLocalMove).
          if (live === undefined && (await applyLocalMove(this.options, remote, decidedOn))) return 'applied';
          // A folder or link in the way of a file is removed first (a folder only when empty).
          if (live !== undefined && live.type !== 'file') await removeEntry(shareDir, remote.path);
          await this.options.share.check(); // the temp file lives in the state folder, often inside the share
          const pulled = await this.options.disk.pull(remote, () => puller.pull(remote));
          if (pulled.outcome === 'gone') return 'waiting';
          try {
            return await this.placeFile(remote, pulled.file, live !== undefined && live.type === 'file' ? live : null, decidedOn);
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
            recordPlaced(this.options, remote, stats, [], decidedOn);
            this.options.events.applied(remote, live);
            this.options.log.info('sync.dir_created', { path: remote.path, from: remote.modifiedBy });
            return 'applied';
          });
        case 'symlink':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined && live.type === 'dir') await removeEntry(shareDir, remote.path);
            else if (live !== undefined && live.type === 'file') await removeEntry(shareDir, remote.path, this.expectFile(live));
            const stats = await createSymlink(shareDir, remote.path, remote.symlinkTarget, remote.mtimeMs);
            recordPlaced(this.options, remote, stats, [], decidedOn);
            this.options.events.applied(remote, live);
            this.options.log.info('sync.symlink_placed', { path: remote.path, target: remote.symlinkTarget, from: remote.modifiedBy });
            return 'applied';
          });
        case 'delete':
          return await this.scanPaused(async (): Promise<ApplyOutcome> => {
            if (stale()) return this.staleDecision(remote.path);
            if (live !== undefined) await removeEntry(shareDir, remote.path, this.expectFile(live));
            index.recordApplied({ ...remote, inode: 0 }, [], decidedOn);
            this.options.events.applied(remote, live);
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

  /**
   * Moves a verified temp file over what the scanner last saw at the path
   * (`expect`: null = nothing) and records it. A local edit since then is never
   * overwritten: the temp file and its verified chunks stay for the next attempt.
   */
  private async placeFile(remote: IndexEntry, file: VerifiedFile, expect: SeenFile | null, decidedOn: VersionVector): Promise<ApplyOutcome> {
    const { index, shareDir, puller, log } = this.options;
    const recorded = await this.scanPaused(async () => {
      let placed;
      try {
        placed = await atomicReplace(shareDir, remote.path, file.tempPath, { expect, tempFinished: true });
      } catch (err) {
        if (err instanceof LeftsyncError && err.code === ErrorCode.LOCAL_CHANGED) return false;
        throw err;
      }
      recordPlaced(this.options, remote, placed, file.chunks, decidedOn);
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
  private async adoptMetadata(remote: IndexEntry, live: IndexEntry, stale: () => boolean, decidedOn: VersionVector): Promise<ApplyOutcome> {
    const { index, shareDir } = this.options;
    const adopted = await this.scanPaused(async () => {
      if (stale()) return false;
      const before = await this.lstat(remote.path);
      if (!matchesStats(live, before)) return false;
      const stats = await setAttributes(shareDir, remote.path, { mode: remote.mode, mtimeMs: remote.mtimeMs });
      recordPlaced(this.options, remote, stats, index.chunksOf(remote.path), decidedOn);
      this.options.events.applied(remote, live);
      return true;
    });
    return adopted ? 'applied' : this.rescanned(remote.path);
  }

  private scanPaused<T>(step: () => Promise<T>): Promise<T> {
    return this.options.scanLock.exclusive(async () => {
      await this.options.share.check();
      return step();
    });
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


function isNotEmptyDir(err: unknown): boolean {
  const code = errnoOf(err);
  return code === 'ENOTEMPTY' || code === 'EEXIST';
}
