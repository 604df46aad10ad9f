/**
 * The node's status as /rest/status and `leftsync status` show it: peers,
 * transfers in progress, totals and conflicts, kept up to date from the event
 * bus, plus what is read live when asked (link health, pending paths, the
 * byte counters of every session).
 */
import type { TransferStats } from '../transfer/stats.js';
import type { PeerConnection } from '../transport/connection.js';
import { EVENT_SCHEMA, type EventBus, type SyncEvent, type TransferData } from './events.js';

/** Conflicts listed in the status; older ones stay only in the share. */
export const CONFLICTS_KEPT = 100;

export interface StatusSources {
  peerId: string;
  shareDir: string;
  /** The addresses this node dials (from --ip). */
  dialing: string[];
  /** Byte counters per connected peer. */
  stats(): Record<string, TransferStats>;
  /** Paths queued or being worked on. */
  pending(): number;
}

export interface PeerStatus {
  peer: string;
  address: string;
  linked: boolean;
  /** ISO times; lastSeen is when anything was last heard from the peer. */
  linkedAt: string;
  lastSeen: string;
  rttMs: number | null;
  /** Chunk payload bytes sent to and received from it on the current link. */
  bytesSent: number;
  bytesReceived: number;
}

export interface ConflictStatus {
  time: string;
  peer: string;
  path: string;
  keptAs: string;
  winner: string;
}

export interface Totals {
  filesSynced: number;
  foldersSynced: number;
  deleted: number;
  conflicts: number;
  localChanges: number;
  /** Wire bytes received for synced files, and what chunk reuse, resume and LZ4 saved of their size. */
  bytesReceived: number;
  bytesSaved: number;
}

export interface NodeStatus {
  schema: typeof EVENT_SCHEMA;
  peerId: string;
  share: string;
  startedAt: string;
  /** The newest event id: pass it as since to /rest/events to follow on from here. */
  lastEventId: number;
  dialing: string[];
  peers: PeerStatus[];
  pending: { files: number };
  transfers: TransferData[];
  totals: Totals;
  conflicts: ConflictStatus[];
}

interface KnownPeer {
  conn: PeerConnection;
  linkedAt: string;
  /** Frozen when the link is lost. */
  lastSeenMs: number;
  lost: boolean;
}

export class StatusTracker {
  private readonly startedAt = new Date().toISOString();
  private readonly peers = new Map<string, KnownPeer>();
  private readonly transfers = new Map<string, TransferData>();
  private readonly conflicts: ConflictStatus[] = [];
  private readonly totals: Totals = { filesSynced: 0, foldersSynced: 0, deleted: 0, conflicts: 0, localChanges: 0, bytesReceived: 0, bytesSaved: 0 };

  constructor(
    private readonly bus: EventBus,
    private readonly sources: StatusSources,
  ) {
    bus.subscribe((event) => this.observe(event));
  }

  /**
   * A new authenticated link: announced, and its loss when it closes. A link that
   * replaces another to the same peer (both dialed at once, a restart) is no news:
   * one peer.linked, and peer.lost only when the peer's current link closes.
   */
  linked(conn: PeerConnection): void {
    const previous = this.peers.get(conn.peerId);
    this.peers.set(conn.peerId, { conn, linkedAt: new Date().toISOString(), lastSeenMs: conn.health.lastSeenMs, lost: false });
    if (previous?.lost !== false) this.bus.emit('peer.linked', { peer: conn.peerId, address: conn.remoteAddress });
    // Watched even when it replaced a live link: it is the peer's current one now.
    conn.onClose((reason) => {
      const known = this.peers.get(conn.peerId);
      if (known?.conn !== conn) return;
      known.lastSeenMs = conn.health.lastSeenMs;
      known.lost = true;
      this.bus.emit('peer.lost', { peer: conn.peerId, address: conn.remoteAddress, reason });
    });
  }

  snapshot(): NodeStatus {
    const stats = this.sources.stats();
    const peers = [...this.peers.entries()].map(([peer, known]): PeerStatus => {
      const linked = !known.conn.closed;
      return {
        peer,
        address: known.conn.remoteAddress,
        linked,
        linkedAt: known.linkedAt,
        lastSeen: new Date(linked ? known.conn.health.lastSeenMs : known.lastSeenMs).toISOString(),
        rttMs: linked ? known.conn.health.rttMs : null,
        bytesSent: stats[peer]?.sent.wireBytes ?? 0,
        bytesReceived: stats[peer]?.received.wireBytes ?? 0,
      };
    });
    return {
      schema: EVENT_SCHEMA,
      peerId: this.sources.peerId,
      share: this.sources.shareDir,
      startedAt: this.startedAt,
      lastEventId: this.bus.lastId,
      dialing: [...this.sources.dialing],
      peers,
      pending: { files: this.sources.pending() },
      transfers: [...this.transfers.values()].map((t) => ({ ...t })),
      totals: { ...this.totals },
      conflicts: this.conflicts.map((c) => ({ ...c })),
    };
  }

  private observe(event: SyncEvent): void {
    switch (event.type) {
      case 'transfer.started':
      case 'transfer.progress':
        this.transfers.set(`${event.data.peer}\0${event.data.path}`, { ...event.data });
        break;
      case 'transfer.ended':
        this.transfers.delete(`${event.data.peer}\0${event.data.path}`);
        break;
      case 'file.synced':
        this.totals.filesSynced++;
        this.totals.bytesReceived += event.data.bytesReceived;
        this.totals.bytesSaved += event.data.bytesSaved;
        break;
      case 'folder.synced':
        this.totals.foldersSynced++;
        break;
      case 'file.deleted':
        this.totals.deleted++;
        break;
      case 'local.changed':
        this.totals.localChanges++;
        break;
      case 'conflict':
        this.totals.conflicts++;
        this.conflicts.push({ time: event.time, ...event.data });
        if (this.conflicts.length > CONFLICTS_KEPT) this.conflicts.shift();
        break;
      default:
        break;
    }
  }
}
