/**
 * Two PeerConnections joined in memory, for tests of protocol logic without
 * sockets. Frames are delivered asynchronously and in order, like a socket.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { Frame } from '../protocol/messages.js';
import type { LinkHealth, PeerConnection } from './connection.js';

class MemoryConnection implements PeerConnection {
  other!: MemoryConnection;
  closed = false;
  readonly health: LinkHealth = { lastSeenMs: Date.now(), rttMs: null };
  private frameHandler: (frame: Frame) => void = () => {};
  private closeHandlers: Array<(reason: string) => void> = [];
  /** Frames that arrived while reading was paused, delivered on resume. */
  private held: Frame[] | null = null;

  constructor(
    readonly peerId: string,
    readonly remoteAddress: string,
  ) {}

  async send(frame: Frame): Promise<void> {
    if (this.closed) throw new LeftsyncError(ErrorCode.CONNECTION_CLOSED, `connection to ${this.peerId} is closed`);
    const target = this.other;
    // Copied now, as a socket would: the sender may reuse the frame's buffers once send() returns.
    const copy = copyFrame(frame);
    setImmediate(() => target.deliver(copy));
  }

  pauseReading(): void {
    this.held ??= [];
  }

  resumeReading(): void {
    const held = this.held;
    this.held = null;
    // deliver() holds again if a handler pauses midway.
    for (const frame of held ?? []) this.deliver(frame);
  }

  private deliver(frame: Frame): void {
    if (this.closed) return;
    this.health.lastSeenMs = Date.now();
    if (this.held !== null) this.held.push(frame);
    else this.frameHandler(frame);
  }

  onFrame(handler: (frame: Frame) => void): void {
    this.frameHandler = handler;
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.push(handler);
  }

  close(reason = 'closed locally'): void {
    this.shut(reason);
    this.other.shut('closed by peer');
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const handler of this.closeHandlers) handler(reason);
  }
}

/** Returns [a, b]: a talks to the peer named bId, b to the peer named aId. */
export function createMemoryPair(aId: string, bId: string): [PeerConnection, PeerConnection] {
  const a = new MemoryConnection(bId, `memory:${bId}`);
  const b = new MemoryConnection(aId, `memory:${aId}`);
  a.other = b;
  b.other = a;
  return [a, b];
}

/** A deep copy of a frame, as a socket delivers it: its bytes in fresh Buffers, everything else rebuilt. */
export function copyFrame<T>(value: T): T {
  if (value instanceof Uint8Array) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => copyFrame(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, copyFrame(item)])) as T;
  }
  return value;
}
