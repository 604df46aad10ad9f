/**
 * Byte counters of one peer link: what crossed the wire (payload bytes of chunk
 * replies, compressed or not) and the raw bytes they stand for, in total and per
 * file. Read by the status command and logged per finished file.
 */
export interface ByteCounters {
  /** Chunk payload bytes as sent on the wire. */
  wireBytes: number;
  /** Uncompressed bytes those payloads carry. */
  rawBytes: number;
  chunks: number;
}

export interface TransferStats {
  sent: ByteCounters;
  received: ByteCounters;
  /** Chunks taken from local files or partial downloads instead of the wire. */
  chunksReused: number;
  filesReceived: number;
  /** Per file path: what was sent to and received from this peer. */
  files: Record<string, { sent: ByteCounters; received: ByteCounters }>;
}

const zero = (): ByteCounters => ({ wireBytes: 0, rawBytes: 0, chunks: 0 });

export class StatsCounter {
  private readonly stats: TransferStats = { sent: zero(), received: zero(), chunksReused: 0, filesReceived: 0, files: {} };

  private file(path: string): { sent: ByteCounters; received: ByteCounters } {
    let entry = this.stats.files[path];
    if (!entry) {
      entry = { sent: zero(), received: zero() };
      this.stats.files[path] = entry;
    }
    return entry;
  }

  addSent(path: string, wireBytes: number, rawBytes: number): void {
    for (const c of [this.stats.sent, this.file(path).sent]) {
      c.wireBytes += wireBytes;
      c.rawBytes += rawBytes;
      c.chunks += 1;
    }
  }

  addReceived(path: string, wireBytes: number, rawBytes: number): void {
    for (const c of [this.stats.received, this.file(path).received]) {
      c.wireBytes += wireBytes;
      c.rawBytes += rawBytes;
      c.chunks += 1;
    }
  }

  addReused(count: number): void {
    this.stats.chunksReused += count;
  }

  fileDone(): void {
    this.stats.filesReceived += 1;
  }

  /** A deep copy, safe to hand out. */
  snapshot(): TransferStats {
    return structuredClone(this.stats);
  }
}
