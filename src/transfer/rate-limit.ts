/**
 * The upload cap (--bwlimit): a token bucket, as rsync's --bwlimit, shared by
 * every link of a node. Tokens are bytes; they flow in at `bytesPerSecond` up
 * to `burstBytes`. take(n) spends n at once, even into debt, and waits until
 * the debt is paid: a chunk (up to 256 KiB) is larger than a small bucket, and
 * callers that come while one waits queue behind it in arrival order, because
 * each one's wait is computed from the debt the callers before it left.
 * The clock is passed in, so tests run it without real time.
 */

export interface RateClock {
  /** Milliseconds, any origin, never going back. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: RateClock = {
  now: () => performance.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      // A stopped node must not be kept alive by an upload that waits for its turn.
      setTimeout(resolve, ms).unref();
    }),
};

export interface TokenBucketOptions {
  /** Default: a tenth of a second's worth, at least one largest chunk (256 KiB). */
  burstBytes?: number;
  clock?: RateClock;
}

/** The smallest default burst: one chunk of the largest size goes out without waiting on a full bucket. */
const MIN_BURST_BYTES = 256 * 1024;

export class TokenBucket {
  readonly burstBytes: number;
  private readonly clock: RateClock;
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly bytesPerSecond: number,
    options: TokenBucketOptions = {},
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`a rate must be positive, got ${bytesPerSecond}`);
    this.clock = options.clock ?? realClock;
    this.burstBytes = options.burstBytes ?? Math.max(MIN_BURST_BYTES, Math.floor(bytesPerSecond / 10));
    this.tokens = this.burstBytes;
    this.updatedAt = this.clock.now();
  }

  /** Spends `bytes`; resolves once the bucket has paid for them (at once while it holds enough). */
  async take(bytes: number): Promise<void> {
    this.refill();
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    await this.clock.sleep((-this.tokens / this.bytesPerSecond) * 1000);
  }

  /** Tokens now (negative: debt). For tests and logs. */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = now - this.updatedAt;
    this.updatedAt = now;
    if (elapsed > 0) this.tokens = Math.min(this.burstBytes, this.tokens + (elapsed / 1000) * this.bytesPerSecond);
  }
}
