/**
 * Who may hold an unauthenticated connection, decided per remote address
 * (host, without the port) before a byte is read, so refusing costs nothing
 * (no TLS handshake, no buffers). No clock or socket in here: the listener
 * passes `now` and acts on the answers; tests drive it directly.
 *
 * Slots. At most `maxPending` unauthenticated connections in all and
 * `maxPendingPerAddress` from one address. A newcomer is always admitted when
 * its address is not in backoff; when a cap is full, the oldest pending
 * connection of the address holding the most is evicted (the newcomer's own
 * address first when it is at its cap). Idle sockets then only ever crowd out
 * other sockets of the same address, and a real peer behind that address
 * still gets in: it is the newest, and a handshake takes milliseconds.
 *
 * Backoff. Failed authentications (wrong proof, garbage handshake frames,
 * failed TLS) add 1 to the address's score, and one is forgiven every
 * forgiveMs. While the score is above `freeFailures`, each failure bars the
 * address for a doubling time (baseBlockMs .. maxBlockMs), during which its
 * connections are refused at accept; the doubling restarts once the score is
 * back to 0. So a flood is cut off after a few attempts, while a misconfigured
 * peer redialing every couple of seconds (one failure per attempt) is never
 * barred and keeps getting its clear auth.failed line. Timeouts and evictions
 * do not count: they cost a slot, not work, and would otherwise bar a real
 * peer that shares the address with idle sockets. An authenticated link from
 * the address clears its record.
 */
export interface AdmissionLimits {
  maxPending: number;
  maxPendingPerAddress: number;
  freeFailures: number;
  /** One failure is forgiven per this many ms. */
  forgiveMs: number;
  baseBlockMs: number;
  maxBlockMs: number;
  /** Addresses with a failure record kept at most (oldest dropped first). */
  maxTrackedAddresses: number;
}

export const DEFAULT_ADMISSION: AdmissionLimits = {
  maxPending: 32,
  maxPendingPerAddress: 8,
  freeFailures: 8,
  forgiveMs: 1_000,
  baseBlockMs: 500,
  maxBlockMs: 30_000,
  maxTrackedAddresses: 4_096,
};

export type Admit<T> =
  | { admitted: true; evicted: T[] }
  | { admitted: false; blockedForMs: number };

interface FailureRecord {
  score: number;
  updatedAt: number;
  /** Blocks in a row (the doubling). */
  strikes: number;
  blockedUntil: number;
}

export class Admission<T> {
  /** Pending connections per address, oldest first. */
  private readonly pending = new Map<string, T[]>();
  private total = 0;
  /** Insertion order is least recently failed first. */
  private readonly failures = new Map<string, FailureRecord>();

  constructor(readonly limits: AdmissionLimits = DEFAULT_ADMISSION) {}

  get pendingCount(): number {
    return this.total;
  }

  pendingFrom(host: string): number {
    return this.pending.get(host)?.length ?? 0;
  }

  /** Decides on a new connection from `host`; on admission it counts as pending until release(). */
  admit(host: string, item: T, now: number): Admit<T> {
    const record = this.failures.get(host);
    if (record && record.blockedUntil > now) return { admitted: false, blockedForMs: record.blockedUntil - now };
    const evicted: T[] = [];
    if (this.pendingFrom(host) >= this.limits.maxPendingPerAddress) evicted.push(this.evictOldest(host));
    else if (this.total >= this.limits.maxPending) evicted.push(this.evictOldest(this.heaviest()));
    const list = this.pending.get(host) ?? [];
    list.push(item);
    this.pending.set(host, list);
    this.total++;
    return { admitted: true, evicted };
  }

  /** The connection is no longer pending (authenticated, failed, closed or evicted). Idempotent. */
  release(host: string, item: T): void {
    const list = this.pending.get(host);
    const at = list?.indexOf(item) ?? -1;
    if (!list || at < 0) return;
    list.splice(at, 1);
    this.total--;
    if (list.length === 0) this.pending.delete(host);
  }

  /** An authentication from `host` failed. Returns how long the address is now barred (0: not). */
  failed(host: string, now: number): number {
    const record = this.failures.get(host) ?? { score: 0, updatedAt: now, strikes: 0, blockedUntil: 0 };
    const score = Math.max(0, record.score - (now - record.updatedAt) / this.limits.forgiveMs);
    if (score === 0) record.strikes = 0;
    record.score = score + 1;
    record.updatedAt = now;
    if (record.score > this.limits.freeFailures) {
      record.strikes++;
      record.blockedUntil = now + Math.min(this.limits.maxBlockMs, this.limits.baseBlockMs * 2 ** Math.min(record.strikes - 1, 30));
    }
    this.failures.delete(host); // re-inserted last: the map stays in least-recent order
    this.failures.set(host, record);
    while (this.failures.size > this.limits.maxTrackedAddresses) this.failures.delete(this.failures.keys().next().value!);
    return Math.max(0, record.blockedUntil - now);
  }

  /** A peer from `host` authenticated: its address is trusted again. */
  succeeded(host: string): void {
    this.failures.delete(host);
  }

  private evictOldest(host: string): T {
    const list = this.pending.get(host)!;
    const oldest = list[0];
    this.release(host, oldest);
    return oldest;
  }

  /** The address holding the most pending connections (the first such on ties: it connected earliest). */
  private heaviest(): string {
    let best = '';
    let most = -1;
    for (const [host, list] of this.pending) {
      if (list.length > most) {
        best = host;
        most = list.length;
      }
    }
    return best;
  }
}
