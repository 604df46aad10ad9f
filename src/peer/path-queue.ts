/**
 * The paths a session has to work on, a few at a time. A path updated while it
 * is being worked on is looked at again afterwards; one whose work could not
 * finish (the local side changed, a folder still had content, an error) is
 * retried a bounded number of times, later for errors; work paused by a full
 * disk or a missing share is retried with backoff without end.
 */
import type { Logger } from '../log.js';
import type { ApplyOutcome } from './applier.js';
import { isPausing, pauseDelayMs } from './pause.js';

/** 'paused': the disk is full or the share is missing (see pause.ts): retried without end. */
export type WorkOutcome = ApplyOutcome | 'failed' | 'paused';

export interface PathQueueOptions {
  /** Paths worked on at once. */
  concurrency: number;
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
  private readonly active = new Set<string>();
  /** Updated while active: looked at again afterwards. */
  private readonly again = new Set<string>();
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
  offer(relPath: string, needsWork: () => boolean): void {
    if (this.closed) return;
    if (this.active.has(relPath)) {
      this.again.add(relPath);
      return;
    }
    if (!needsWork()) return;
    this.queued.add(relPath);
    this.pump();
  }

  /** Paths waiting, being worked on or waiting for a retry. */
  get pending(): number {
    let n = this.active.size + this.retryTimers.size;
    for (const relPath of this.queued) if (!this.active.has(relPath)) n++;
    return n;
  }

  get idle(): boolean {
    return this.closed || (this.queued.size === 0 && this.active.size === 0 && this.retryTimers.size === 0);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    this.queued.clear();
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.options.concurrency) {
      // The first queued path not being worked on (a retry may queue an active one).
      let next: string | undefined;
      for (const queued of this.queued) {
        if (!this.active.has(queued)) {
          next = queued;
          break;
        }
      }
      if (next === undefined) break;
      this.queued.delete(next);
      this.active.add(next);
      void this.work(next);
    }
    this.options.onSettled(null, null);
  }

  private async work(relPath: string): Promise<void> {
    let outcome: WorkOutcome = 'failed';
    try {
      outcome = await this.options.run(relPath);
    } catch (err) {
      if (isPausing(err)) outcome = 'paused';
      // The disk-full or missing-share condition was told once, where it was found.
      if (!this.closed) this.options.log[outcome === 'paused' ? 'debug' : 'warn']('sync.apply_failed', { path: relPath, err });
    }
    if (outcome !== 'paused') this.pauses.delete(relPath);
    this.active.delete(relPath);
    if (this.again.delete(relPath)) {
      if (!this.closed) this.queued.add(relPath);
    } else if (outcome === 'paused') {
      this.retryPaused(relPath);
    } else if (outcome === 'rescanned' || outcome === 'blocked' || outcome === 'failed') {
      this.retryLater(relPath, outcome);
    }
    this.options.onSettled(relPath, outcome);
    this.pump();
  }

  /** Looks at a paused path again later, and again, with backoff: never given up. */
  private retryPaused(relPath: string): void {
    if (this.closed) return;
    const count = (this.pauses.get(relPath) ?? 0) + 1;
    this.pauses.set(relPath, count);
    this.later(relPath, (this.options.pauseDelay ?? pauseDelayMs)(count));
  }

  /**
   * Looks at a path again, a bounded number of times: at once after a rescan (the
   * local side changed), shortly for a folder that still had content (its files
   * go first), later after an error (in case it was passing).
   */
  private retryLater(relPath: string, outcome: WorkOutcome): void {
    if (this.closed) return;
    const count = (this.requeues.get(relPath) ?? 0) + 1;
    this.requeues.set(relPath, count);
    if (count > MAX_REQUEUES) {
      this.options.log.warn('sync.gave_up', { path: relPath, outcome });
      return;
    }
    if (outcome === 'rescanned') {
      this.queued.add(relPath);
      return;
    }
    this.later(relPath, (outcome === 'blocked' ? BLOCKED_DELAY_MS : RETRY_DELAY_MS) * count);
  }

  private later(relPath: string, delay: number): void {
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (!this.closed) this.queued.add(relPath);
      this.pump();
    }, delay);
    this.retryTimers.add(timer);
  }
}
