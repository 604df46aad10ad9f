/**
 * Turns for the supplier's answers, so memory stays bounded whatever the peer
 * asks for. An answer holds what it reads until it is sent, so at most
 * MAX_ANSWERS_AT_ONCE answers run at once and together they hold at most
 * MAX_ANSWERING_BYTES of chunk bytes (one larger than that still runs, alone).
 * The rest wait as decoded request objects; once MAX_WAITING_REQUESTS of them
 * wait, or they weigh MAX_WAITING_WEIGHT (their paths are most of it: a
 * request may name 256 paths of 4 KiB), reading from the peer stops until they
 * are down to half, so a peer that floods requests and never reads is held
 * back by TCP. The marks are far above what a well-behaved puller has
 * outstanding (a few windows of requests), because a link whose two sides both
 * stop reading while both have replies to send would never move again.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { Logger } from '../log.js';
import type { PeerConnection } from '../transport/connection.js';

/** Answers read from disk and sent at once. */
export const MAX_ANSWERS_AT_ONCE = 4;
/** Chunk bytes the answers running at once may hold between them (four requests of the puller's default 512 KiB; a larger request runs alone). */
export const MAX_ANSWERING_BYTES = 2 * 1024 * 1024;
/** Waiting requests at which reading from the peer pauses (resumes at half). */
export const MAX_WAITING_REQUESTS = 256;
/** Weight (see weightOf in supplier.ts) of the waiting requests at which reading pauses too. */
export const MAX_WAITING_WEIGHT = 8 * 1024 * 1024;

/** What the supplier holds right now (tests and logs). */
export interface SupplierLoad {
  answering: number;
  waiting: number;
  readingPaused: boolean;
}

interface Waiting {
  bytes: number;
  weight: number;
  start(): void;
}

export class SupplyTurns {
  private answering = 0;
  private answeringBytes = 0;
  private readonly waiting: Waiting[] = [];
  private waitingWeight = 0;
  private readingPaused = false;
  private closed = false;

  constructor(
    private readonly reading: Pick<PeerConnection, 'pauseReading' | 'resumeReading'>,
    private readonly log: Logger,
  ) {}

  get load(): SupplierLoad {
    return { answering: this.answering, waiting: this.waiting.length, readingPaused: this.readingPaused };
  }

  /** Waiting answers start at once and fail without touching the disk. */
  close(): void {
    this.closed = true;
    this.startWaiting();
  }

  /**
   * Runs `answer` once it may: `bytes` is what it will read and hold, `weight`
   * what its request costs while it waits.
   */
  async run(bytes: number, weight: number, answer: () => Promise<void>): Promise<void> {
    if (this.waiting.length === 0 && this.fits(bytes)) this.admit(bytes);
    else {
      await new Promise<void>((start) => {
        this.waiting.push({ bytes, weight, start });
        this.waitingWeight += weight;
        this.updateReading();
      });
    }
    try {
      if (this.closed) throw new LeftsyncError(ErrorCode.CONNECTION_CLOSED, 'link closed before the request was answered');
      await answer();
    } finally {
      this.answering--;
      this.answeringBytes -= bytes;
      this.startWaiting();
      this.updateReading();
    }
  }

  private fits(bytes: number): boolean {
    if (this.answering === 0) return true;
    return this.answering < MAX_ANSWERS_AT_ONCE && this.answeringBytes + bytes <= MAX_ANSWERING_BYTES;
  }

  private admit(bytes: number): void {
    this.answering++;
    this.answeringBytes += bytes;
  }

  /** In arrival order: a large request is not overtaken by small ones for ever. */
  private startWaiting(): void {
    while (this.waiting.length > 0 && (this.closed || this.fits(this.waiting[0]!.bytes))) {
      const next = this.waiting.shift()!;
      this.waitingWeight -= next.weight;
      this.admit(next.bytes);
      next.start();
    }
  }

  private updateReading(): void {
    if (this.closed) return; // the link is gone; its socket is not ours to touch
    const count = this.waiting.length;
    if (!this.readingPaused && (count >= MAX_WAITING_REQUESTS || this.waitingWeight >= MAX_WAITING_WEIGHT)) {
      this.readingPaused = true;
      this.log.info('supplier.reading_paused', { waiting: count, weight: this.waitingWeight, msg: 'the peer asks faster than it reads' });
      this.reading.pauseReading();
    } else if (this.readingPaused && count <= MAX_WAITING_REQUESTS / 2 && this.waitingWeight <= MAX_WAITING_WEIGHT / 2) {
      this.readingPaused = false;
      this.log.debug('supplier.reading_resumed', { waiting: count });
      this.reading.resumeReading();
    }
  }
}
