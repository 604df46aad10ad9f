/**
 * A full disk pauses work; it never loses it. One DiskFull per node: it tells
 * the user once per episode (LS_DISK_FULL, then disk.space_back), refuses to
 * start a download that cannot fit (so a retry does not fetch bytes only to
 * fill the disk again), and removes the partial download of a pull that ran
 * out of space anyway.
 *
 * Why the partial goes: a full disk stops everything else too (the index, the
 * small files queued behind, the user's own programs), and the partial is only
 * a cache of chunks the peer still has. Its verified-chunk records go with it
 * (they are dropped when its temp file is found missing), so nothing claims
 * bytes that are not on disk. The price is fetching those chunks again once
 * there is room for the whole file.
 */
import { stat, statfs, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import type { IndexEntry, SyncIndex } from '../model/entries.js';
import { tempDirOf } from './chunk-io.js';

const log = createLogger('disk');

/** Kept free beyond a download's own bytes: room for the index and the small writes around it. */
export const RESERVE_BYTES = 1024 * 1024;

export function isDiskFull(err: unknown): boolean {
  return err instanceof LeftsyncError && err.code === ErrorCode.DISK_FULL;
}

export interface DiskFullOptions {
  index: SyncIndex;
  stateDir: string;
  /** Free bytes of the file system holding `dir`; replaceable in tests. */
  freeBytes?(dir: string): Promise<number>;
}

async function statfsFree(dir: string): Promise<number> {
  const fs = await statfs(dir);
  return Number(fs.bavail) * Number(fs.bsize);
}

/** A wait not reported again for this long is forgotten (its path was deleted, its link closed). */
const WAIT_FORGOTTEN_MS = 60_000;
/**
 * Space is declared back once nothing has waited for this long: the index
 * entries stored first and a download then finding no room is one episode,
 * told once, not two.
 */
export const SPACE_BACK_QUIET_MS = 3000;

export class DiskFull {
  /** What waits for space (a download, a peer's index entries), with when it last reported. */
  private readonly waiting = new Map<string, number>();
  /** Told the user, and not yet told that space is back. */
  private told = false;
  private backTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: DiskFullOptions) {}

  get isFull(): boolean {
    return this.waiting.size > 0;
  }

  /** Stops the pending "space back" line (the node stops). */
  close(): void {
    if (this.backTimer !== null) clearTimeout(this.backTimer);
    this.backTimer = null;
  }

  /**
   * `what` could not be written for lack of space. The user is told when the
   * first thing starts waiting, not for every retry of every path.
   */
  report(what: string, err?: unknown): void {
    const now = Date.now();
    for (const [key, at] of this.waiting) if (now - at > WAIT_FORGOTTEN_MS) this.waiting.delete(key);
    // Nothing waits and no quiet period runs: whatever was told before is over.
    if (this.waiting.size === 0 && this.backTimer === null) this.told = false;
    this.waiting.set(what, now);
    if (this.backTimer !== null) {
      clearTimeout(this.backTimer);
      this.backTimer = null;
    }
    if (this.told) {
      log.debug('disk.still_full', { what });
      return;
    }
    this.told = true;
    log.error('disk.full', {
      code: ErrorCode.DISK_FULL,
      what,
      err,
      msg: 'no space left on the device: downloads and index updates wait and are retried; everything completes by itself when space is freed',
    });
  }

  /** `what` was written after all; once nothing has waited for SPACE_BACK_QUIET_MS, the user is told. */
  written(what: string): void {
    if (!this.waiting.delete(what) || this.waiting.size > 0 || !this.told) return;
    this.backTimer = setTimeout(() => {
      this.backTimer = null;
      this.told = false;
      log.info('disk.space_back', { msg: 'space is back: what waited for it has been written' });
    }, SPACE_BACK_QUIET_MS);
    this.backTimer.unref();
  }

  /**
   * Runs `pull` for `remote` if its temp file can fit; a pull that runs out of
   * space anyway leaves no partial behind. Throws LS_DISK_FULL in both cases.
   */
  async pull<T>(remote: IndexEntry, pull: () => Promise<T>): Promise<T> {
    const what = `download ${remote.path}`;
    const tempDir = tempDirOf(this.options.stateDir);
    const partial = this.partialPath(remote);
    const allocated = partial === null ? 0 : await stat(partial).then((s) => s.blocks * 512, () => 0);
    const needed = Math.max(0, remote.size - allocated) + RESERVE_BYTES;
    const free = await (this.options.freeBytes ?? statfsFree)(await stat(tempDir).then(() => tempDir, () => this.options.stateDir)).catch(() => Infinity);
    if (free < needed) {
      const err = new LeftsyncError(ErrorCode.DISK_FULL, `${remote.path}: needs ${needed} bytes free, ${free} are`);
      this.report(what, err);
      throw err;
    }
    try {
      const result = await pull();
      this.written(what);
      return result;
    } catch (err) {
      if (!isDiskFull(err)) {
        this.written(what); // no longer waiting for space, whatever comes next
        throw err;
      }
      await this.discardPartial(remote);
      this.report(what, err);
      throw err;
    }
  }

  private partialPath(remote: IndexEntry): string | null {
    const partial = this.options.index.partial(remote.path, remote.digest);
    return partial === undefined ? null : path.join(tempDirOf(this.options.stateDir), partial.tempName);
  }

  private async discardPartial(remote: IndexEntry): Promise<void> {
    const partial = this.options.index.partial(remote.path, remote.digest);
    if (partial === undefined) return;
    // The bytes first: that frees the space. The record may fail to go on a full
    // disk; a partial whose temp file is missing is dropped when next opened.
    await unlink(path.join(tempDirOf(this.options.stateDir), partial.tempName)).catch(() => undefined);
    try {
      this.options.index.dropPartial(partial.tempName);
    } catch (err) {
      log.debug('disk.partial_record_kept', { path: remote.path, err });
    }
    log.info('disk.partial_removed', { path: remote.path, msg: 'partial download removed to free the disk; it is fetched again when there is room' });
  }
}
