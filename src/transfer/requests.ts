/**
 * Outstanding requests on one connection, matched to their replies by
 * request_id; a request may expect several replies (a ChunkRequest gets one
 * per want, told apart by their index). A closed connection fails every one
 * of them at once.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';

interface Pending<T> {
  /** Takes one reply; true when it was the last one expected. */
  take(reply: T): boolean;
  reject(err: Error): void;
}

export class RequestTracker<T> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending<T>>();
  private closedReason: string | null = null;

  /** A fresh id (never 0, which means "no request" on the wire) and a promise of its reply. */
  open(): { id: number; reply: Promise<T> } {
    if (this.closedReason !== null) {
      const reply = Promise.reject(new LeftsyncError(ErrorCode.CONNECTION_CLOSED, this.closedReason));
      return { id: 0, reply };
    }
    const id = this.takeId();
    const reply = new Promise<T>((resolve, reject) => this.pending.set(id, { take: (r) => (resolve(r), true), reject }));
    return { id, reply };
  }

  /**
   * Like open, for a request answered by `expected` replies, each naming its
   * place with indexOf(reply); the promise has them in that order once all came.
   * A reply whose index is out of range or already answered is not taken.
   * `keep` turns each reply, as it arrives, into what the promise holds (the
   * chunk fetcher verifies and copies a chunk out of its frame there, so the
   * frame is garbage at once); if it throws, the request fails with its error.
   */
  openMany<R = T>(expected: number, indexOf: (reply: T) => number, keep: (reply: T, index: number) => R = (reply) => reply as unknown as R): { id: number; replies: Promise<R[]> } {
    if (this.closedReason !== null) {
      const replies = Promise.reject(new LeftsyncError(ErrorCode.CONNECTION_CLOSED, this.closedReason));
      return { id: 0, replies };
    }
    const id = this.takeId();
    const got: R[] = new Array(expected);
    const taken: boolean[] = new Array(expected).fill(false);
    let left = expected;
    const replies = new Promise<R[]>((resolve, reject) => {
      this.pending.set(id, {
        take: (reply) => {
          const i = indexOf(reply);
          if (!(i >= 0 && i < expected) || taken[i]) return false;
          taken[i] = true;
          try {
            got[i] = keep(reply, i);
          } catch (err) {
            reject(err);
            return true;
          }
          if (--left > 0) return false;
          resolve(got);
          return true;
        },
        reject,
      });
    });
    return { id, replies };
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  /** Delivers a reply; false when nobody waits for that id (late or bogus). */
  settle(id: number, reply: T): boolean {
    const waiter = this.pending.get(id);
    if (!waiter) return false;
    if (waiter.take(reply)) this.pending.delete(id);
    return true;
  }

  /** Fails one request (e.g. an Error frame naming it). */
  fail(id: number, err: Error): boolean {
    const waiter = this.pending.get(id);
    if (!waiter) return false;
    this.pending.delete(id);
    waiter.reject(err);
    return true;
  }

  /** Fails every outstanding request and every later one. */
  close(reason: string): void {
    this.closedReason = reason;
    for (const [id, waiter] of this.pending) {
      this.pending.delete(id);
      waiter.reject(new LeftsyncError(ErrorCode.CONNECTION_CLOSED, reason));
    }
  }

  get size(): number {
    return this.pending.size;
  }
}
