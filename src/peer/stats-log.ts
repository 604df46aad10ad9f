/**
 * The link's byte counters in the log: a transfer.stats line every interval while
 * they change (the end-to-end tests read these), and the totals when it closes.
 */
import type { Logger } from '../log.js';
import type { StatsCounter, TransferStats } from '../transfer/stats.js';

export class LinkStatsLog {
  private timer: NodeJS.Timeout | null = null;
  private lastLogged = '';

  constructor(
    private readonly counters: StatsCounter,
    private readonly peer: string,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.logIfChanged(), intervalMs);
      this.timer.unref();
    }
  }

  /** The counters as log fields. */
  summary(): Record<string, number> {
    return summary(this.counters.totals());
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private logIfChanged(): void {
    const fields = this.summary();
    const key = JSON.stringify(fields);
    if (key === this.lastLogged) return;
    this.lastLogged = key;
    this.log.info('transfer.stats', { peer: this.peer, ...fields });
  }
}

function summary(stats: Omit<TransferStats, 'files'>): Record<string, number> {
  return {
    bytesSent: stats.sent.wireBytes,
    bytesReceived: stats.received.wireBytes,
    rawBytesSent: stats.sent.rawBytes,
    rawBytesReceived: stats.received.rawBytes,
    chunksSent: stats.sent.chunks,
    chunksReceived: stats.received.chunks,
    chunksReused: stats.chunksReused,
  };
}
