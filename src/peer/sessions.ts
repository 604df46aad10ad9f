/**
 * Every sync session of a node, one per connected peer: what the node's
 * onConnection hook and its scanner talk to. A local change is announced to all
 * peers, and a change applied from one peer is announced to the others, which
 * is how a file from A reaches C through B.
 */
import type { PeerConnection } from '../transport/connection.js';
import { PathLocks } from '../transfer/path-locks.js';
import type { TransferStats } from '../transfer/stats.js';
import { createSession } from './session.js';
import type { Session, SessionOptions } from './session-types.js';

export type SessionSetOptions = Omit<SessionOptions, 'conn' | 'onLocalChange' | 'pathLocks'>;

export class SessionSet {
  private readonly sessions = new Map<string, Session>();
  /** Shared by every session of the node (see PathLocks). */
  readonly pathLocks = new PathLocks();

  constructor(private readonly options: SessionSetOptions) {}

  /** Starts a session on a new authenticated link (replacing an older one to the same peer). */
  attach(conn: PeerConnection): Session {
    this.sessions.get(conn.peerId)?.close('replaced by a new link');
    const session = createSession({ ...this.options, conn, pathLocks: this.pathLocks, onLocalChange: () => this.announceAll() });
    this.sessions.set(conn.peerId, session);
    conn.onClose(() => {
      if (this.sessions.get(conn.peerId) === session) this.sessions.delete(conn.peerId);
    });
    return session;
  }

  /** The local index changed (a scan, an applied remote change): tell every peer. */
  announceAll(): void {
    for (const session of this.sessions.values()) session.announce();
  }

  /** Every session looks at its peer's stored entries again (the share is back). */
  reconsiderAll(): void {
    for (const session of this.sessions.values()) session.reconsider();
  }

  /** Byte counters per connected peer. */
  stats(): Record<string, TransferStats> {
    const out: Record<string, TransferStats> = {};
    for (const [peerId, session] of this.sessions) out[peerId] = session.stats();
    return out;
  }

  /** Paths queued or being worked on, over all sessions. */
  pending(): number {
    let n = 0;
    for (const session of this.sessions.values()) n += session.pending();
    return n;
  }

  get(peerId: string): Session | undefined {
    return this.sessions.get(peerId);
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  closeAll(reason = 'node stopping'): void {
    for (const session of this.sessions.values()) session.close(reason);
    this.sessions.clear();
  }
}
