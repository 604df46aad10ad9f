/**
 * The paths a session has to work on, a few at a time. A path updated while it
 * is being worked on is looked at again afterwards; one whose work could not
 * finish (the local side changed, a folder still had content, an error) is
 * retried a bounded number of times, later for errors; work paused by a full
 * disk or a missing share is retried with backoff without end.
 *
 * Deletions wait in a lane of their own until no other work is queued or
 * running (Syncthing orders deletes after creates the same way): a renamed or
 * moved file arrives as a new path plus a deletion of the old one, and the
 * pull of the new path finds every chunk in the old file only while it is
 * still on disk and in the index. With a deletion runner, the deletions go as
 * batches, one batch at a time (a folder's tombstone comes after its files',
 * so a batch that runs alone finds the folder empty).
 */
import type { Logger } from '../log.js';
import type { ApplyOutcome } from './apply-types.js';
import { isPausing, pauseDelayMs } from './pause.js';

/** 'paused': the disk is full or the share is missing (see pause.ts): retried without end. */
export type WorkOutcome = ApplyOutcome | 'failed' | 'paused';

/** Works on several paths as one unit (small files pulled and placed together). */
export interface BatchRunner {
  /** Most paths per batch. */
  max: number;
  /** True for a queued path that may join a batch (judged when the batch is formed). */
  eligible(relPath: string): boolean;
  /** One outcome per path, in order; a rejection counts as 'failed' for all. */
  run(paths: string[]): Promise<WorkOutcome[]>;
}

export interface PathQueueOptions {
  /** Units of work (single paths or batches) worked on at once. */
  concurrency: number;
  batch?: BatchRunner;
  /** Works on several deletions as one unit; without it each deletion is a unit of its own. */
  deletions?: { max: number; run(paths: string[]): Promise<WorkOutcome[]> };
  /** Works on one path; a rejection counts as 'failed'. */
  run(relPath: string): Promise<WorkOutcome>;
  /** After every path's work, and whenever the queue may have become idle. */
  onSettled(relPath: string | null, outcome: WorkOutcome | null): void;
  log: Logger;
  /** Delay before the next attempt after `pauses` paused ones in a row (default pauseDelayMs). */
  pauseDelay?(pauses: number): number;
}

/** Times a path is retried in one session when its work cannot finish. */
export const MAX_REQUEUES = 5;
/** First delay before a failed path is tried again (grows linearly). */
export const RETRY_DELAY_MS = 1000;
/** First delay before a folder that still had content is tried again. */
export const BLOCKED_DELAY_MS = 200;

export class PathQueue {
  /** Waiting, in arrival order. */
  private readonly queued = new Set<string>();
  /** Deletions waiting for `queued` and every non-deletion in `active` to be done. */
  private readonly deferred = new Set<string>();
  /** Active paths that are not deletions. */
  private activeOther = 0;
  /** Units of work running (a batch is one). */
  private units = 0;
  private readonly activeDeletions = new Set<string>();
  private readonly active = new Set<string>();
  /** Updated while active: looked at again afterwards (true: its latest entry is a deletion). */
  private readonly again = new Map<string, boolean>();
  private readonly requeues = new Map<string, number>();
  /** Paused attempts in a row, per path (not counted against MAX_REQUEUES). */
  private readonly pauses = new Map<string, number>();
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly options: PathQueueOptions) {}

  /**
   * A path's remote entry arrived. A path being worked on is looked at again
   * afterwards whatever `needsWork` says (judged against the index before that
   * work finished, it could look like a no-op); otherwise it is queued if needed.
   */
  offer(relPath: string, needsWork: () => boolean, deletion = false): void {
    if (this.closed) return;
    if (this.active.has(relPath)) {
      this.again.set(relPath, deletion);
      return;
    }
    if (!needsWork()) return;
    // A path changes lanes when its latest entry does (deleted, then re-created).
    if (deletion) {
      this.queued.delete(relPath);
      this.deferred.add(relPath);
    } else {
      this.deferred.delete(relPath);
      this.queued.add(relPath);
    }
    this.pump();
  }

  /** Paths waiting, being worked on or waiting for a retry. */
  get pending(): number {
    // A path a retry timer queued while it was active again counts twice: rare, and only a count.
    return this.active.size + this.retryTimers.size + this.queued.size + this.deferred.size;
  }

  /**
   * Paths waiting for their turn (queued, deferred, or for a retry), not those
   * being worked on. Retries count: when every path fails, a bounded queue
   * that forgot them would take the whole store into retry timers.
   */
  get waiting(): number {
    return this.queued.size + this.deferred.size + this.retryTimers.size;
  }

  get idle(): boolean {
    return this.closed || (this.queued.size === 0 && this.deferred.size === 0 && this.active.size === 0 && this.retryTimers.size === 0);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.queued.clear();
    this.deferred.clear();
  }

  private pump(): void {
    while (!this.closed && this.units < this.options.concurrency) {
      const next = this.next();
      if (next === undefined) break;
      const { batch, deletions } = this.options;
      if (!next.deletion && batch !== undefined && batch.eligible(next.relPath)) {
        const paths = [next.relPath, ...this.takeEligible(batch)];
        this.start(paths, false);
        void this.work(paths, () => batch.run(paths));
      } else if (next.deletion && deletions !== undefined) {
        const paths = [next.relPath, ...this.takeDeletions(deletions.max - 1)];
        this.start(paths, true);
        void this.work(paths, () => deletions.run(paths));
      } else {
        this.start([next.relPath], next.deletion);
        void this.work([next.relPath], async () => [await this.options.run(next.relPath)]);
      }
    }
    this.options.onSettled(null, null);
  }

  /** More queued paths for the batch being formed (a bounded look, so a queue of large files costs little). */
  private takeEligible(batch: BatchRunner): string[] {
    const taken: string[] = [];
    let looked = 0;
    for (const relPath of this.queued) {
      if (taken.length >= batch.max - 1 || looked++ >= batch.max * 4) break;
      if (this.active.has(relPath) || !batch.eligible(relPath)) continue;
      this.queued.delete(relPath);
      taken.push(relPath);
    }
    return taken;
  }

  /** More deferred deletions for the batch being formed, in arrival order. */
  private takeDeletions(max: number): string[] {
    const taken: string[] = [];
    for (const relPath of this.deferred) {
      if (taken.length >= max) break;
      if (this.active.has(relPath)) continue;
      this.deferred.delete(relPath);
      taken.push(relPath);
    }
    return taken;
  }

  private start(paths: string[], deletion: boolean): void {
    this.units++;
    for (const relPath of paths) {
      this.active.add(relPath);
      if (deletion) this.activeDeletions.add(relPath);
      else this.activeOther++;
    }
  }

  /**
   * The first queued path not being worked on, else (once nothing else is
   * queued or running) the first deferred deletion; batched deletions wait for
   * the batch before them.
   */
  private next(): { relPath: string; deletion: boolean } | undefined {
    for (const relPath of this.queued) {
      if (this.active.has(relPath)) continue; // a retry timer queued it while it was re-offered
      this.queued.delete(relPath);
      return { relPath, deletion: false };
    }
    if (this.activeOther > 0 || this.queued.size > 0) return undefined;
    if (this.options.deletions !== undefined && this.activeDeletions.size > 0) return undefined;
    for (const relPath of this.deferred) {
      if (this.active.has(relPath)) continue;
      this.deferred.delete(relPath);
      return { relPath, deletion: true };
    }
    return undefined;
  }

  private lane(deletion: boolean): Set<string> {
    return deletion ? this.deferred : this.queued;
  }

  /** Runs one unit of work (a path, or a batch of paths) and settles each of its paths. */
  private async work(paths: string[], run: () => Promise<WorkOutcome[]>): Promise<void> {
    let outcomes: WorkOutcome[] = [];
    try {
      outcomes = await run();
    } catch (err) {
      if (isPausing(err)) outcomes = paths.map(() => 'paused');
      // The disk-full or missing-share condition was told once, where it was found.
      const level = isPausing(err) ? 'debug' : 'warn';
      if (!this.closed) this.options.log[level]('sync.apply_failed', { path: paths[0], paths: paths.length, err });
    }
    this.units--;
    paths.forEach((relPath, i) => this.settle(relPath, outcomes[i] ?? 'failed'));
    this.pump();
  }

  private settle(relPath: string, outcome: WorkOutcome): void {
    if (outcome !== 'paused') this.pauses.delete(relPath);
    // Done with (or waiting for the peer's next version): its count of retries starts over,
    // and the map holds only paths whose work keeps failing.
    if (outcome === 'applied' || outcome === 'unchanged' || outcome === 'waiting') this.requeues.delete(relPath);
    this.active.delete(relPath);
    const wasDeletion = this.activeDeletions.delete(relPath);
    if (!wasDeletion) this.activeOther--;
    const again = this.again.get(relPath);
    if (again !== undefined) {
      this.again.delete(relPath);
      if (!this.closed) this.lane(again).add(relPath);
    } else if (outcome === 'paused') {
      this.retryPaused(relPath, wasDeletion);
    } else if (outcome === 'rescanned' || outcome === 'blocked' || outcome === 'failed') {
      this.retryLater(relPath, outcome, wasDeletion);
    }
    this.options.onSettled(relPath, outcome);
  }

  /** Looks at a paused path again later, and again, with backoff: never given up. */
  private retryPaused(relPath: string, deletion: boolean): void {
    if (this.closed) return;
    const count = (this.pauses.get(relPath) ?? 0) + 1;
    this.pauses.set(relPath, count);
    this.later(relPath, (this.options.pauseDelay ?? pauseDelayMs)(count), deletion);
  }

  /**
   * Looks at a path again, a bounded number of times: at once after a rescan (the
   * local side changed), shortly for a folder that still had content (its files
   * go first), later after an error (in case it was passing).
   */
  private retryLater(relPath: string, outcome: WorkOutcome, deletion: boolean): void {
    if (this.closed) return;
    const count = (this.requeues.get(relPath) ?? 0) + 1;
    this.requeues.set(relPath, count);
    if (count > MAX_REQUEUES) {
      this.options.log.warn('sync.gave_up', { path: relPath, outcome });
      return;
    }
    if (outcome === 'rescanned') {
      this.lane(deletion).add(relPath);
      return;
    }
    this.later(relPath, (outcome === 'blocked' ? BLOCKED_DELAY_MS : RETRY_DELAY_MS) * count, deletion);
  }

  private later(relPath: string, delay: number, deletion: boolean): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.closed) this.lane(deletion).add(relPath);
      this.pump();
    }, delay);
    this.retryTimers.add(timer);
  }
}
