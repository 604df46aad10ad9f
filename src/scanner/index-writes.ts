/**
 * A scan's index writes: queued in walk order (a folder before what is in it)
 * and committed together, one transaction for many files instead of one per
 * file. A kill before a commit only loses scan work, which the next scan redoes.
 */
import type { IndexEntry, SyncIndex } from '../model/entries.js';

/**
 * Inside a walk, writes are committed once this many wait or FLUSH_MS after the
 * last commit. A commit writes every page its rows touched, and the digest and
 * chunk-hash indexes are keyed at random: 64 files a commit cost ~40 us of
 * index time each, 512 about 20.
 */
const FLUSH_WRITES = 512;
const FLUSH_MS = 50;

export class IndexWrites {
  private writes: (() => IndexEntry | undefined)[] = [];
  private committedAt = performance.now();

  constructor(
    private readonly index: SyncIndex,
    /** The entries a commit recorded, in order. */
    private readonly committed: (recorded: IndexEntry[]) => void,
  ) {}

  /** `write` runs at the next commit; what it returns (if anything) was recorded. */
  queue(write: () => IndexEntry | undefined): void {
    this.writes.push(write);
  }

  /** Commits when enough writes wait or the last commit is old enough (a walk's steps). */
  commitIfDue(): void {
    if (this.writes.length >= FLUSH_WRITES || performance.now() - this.committedAt >= FLUSH_MS) this.commit();
  }

  commit(): void {
    this.committedAt = performance.now();
    if (this.writes.length === 0) return;
    const writes = this.writes;
    this.writes = [];
    const entries = this.index.batch(() => writes.map((write) => write()));
    const recorded = entries.filter((entry): entry is IndexEntry => entry !== undefined);
    if (recorded.length > 0) this.committed(recorded);
  }
}
