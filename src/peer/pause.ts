/**
 * Work that cannot go on because of the node's situation, not the path's: the
 * disk is full, or the share is not there. Such work is paused and retried
 * with backoff without end (never "given up"): it completes by itself once
 * space is freed or the share is back.
 */
import { isShareMissing } from '../fs/share-guard.js';
import { isDiskFull } from '../transfer/disk-full.js';

/** First retry after a pause, ms; doubles up to PAUSE_MAX_MS. */
export const PAUSE_FIRST_MS = 500;
export const PAUSE_MAX_MS = 10_000;

export function isPausing(err: unknown): boolean {
  return isDiskFull(err) || isShareMissing(err);
}

/** Delay before the attempt after `pauses` paused ones (1, 2, ...). */
export function pauseDelayMs(pauses: number): number {
  return Math.min(PAUSE_MAX_MS, PAUSE_FIRST_MS * 2 ** Math.min(pauses - 1, 20));
}
