/**
 * Outstanding requests on one connection, matched to their replies by
 * request_id. A closed connection fails every one of them at once.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';

interface Pending<T> {
  resolve(reply: T): void;
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
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const reply = new Promise<T>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    return { id, reply };
  }

  /** Delivers a reply; false when nobody waits for that id (late or bogus). */
  settle(id: number, reply: T): boolean {
    const waiter = this.pending.get(id);
    if (!waiter) return false;
    this.pending.delete(id);
    waiter.resolve(reply);
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
