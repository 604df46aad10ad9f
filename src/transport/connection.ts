/**
 * What the sync engine sees of a link to one peer: an authenticated, ordered,
 * message-level channel. The WebSocket transport implements it for real peers;
 * createMemoryPair() implements it in-process for protocol tests.
 */
import type { Frame } from '../protocol/messages.js';

/** What liveness observed of a link (the status API shows it). */
export interface LinkHealth {
  /** When anything was last heard from the peer, epoch ms. */
  lastSeenMs: number;
  /** Round trip of the latest answered ping, ms; null before the first. */
  rttMs: number | null;
}

export interface PeerConnection {
  /** The remote peer's id, as proven in the handshake. */
  readonly peerId: string;
  /** Human-readable remote address for logs, e.g. "127.0.0.1:27182". */
  readonly remoteAddress: string;
  /**
   * Queues one frame. Resolves once the frame is handed to the socket and the
   * send buffer is below its high-water mark, so awaiting every send bounds memory.
   * The frame's bytes are copied before send() returns: the caller may reuse
   * its buffers at once (the supplier reads the next run into the same one).
   * Rejects with LS_CONNECTION_CLOSED after close.
   */
  send(frame: Frame): Promise<void>;
  /**
   * Stops reading from the peer until resumeReading(): no frame is delivered,
   * and over a socket the kernel buffers fill so TCP holds the peer back. The
   * supplier uses it when a peer asks for far more than it reads.
   */
  pauseReading(): void;
  resumeReading(): void;
  /** Registers the handler for every frame received after the handshake. */
  onFrame(handler: (frame: Frame) => void): void;
  /** Called once when the link is gone, whichever side closed it. */
  onClose(handler: (reason: string) => void): void;
  readonly closed: boolean;
  readonly health: LinkHealth;
  close(reason?: string): void;
}
