/**
 * One dialer per --ip address: dial, wait while the link lasts, redial with
 * capped exponential backoff. It learns which peer id answers at its address
 * and stays quiet while any link to that peer is up (also one the peer dialed),
 * so a duplicate link is not redialed over and over.
 *
 * The backoff restarts only after a link that ended for an ordinary reason
 * (closed, lost, ping timeout). A link that ended on a protocol error keeps
 * the backoff growing: such a peer fails the same way right after every
 * authentication, and resetting would redial it many times a second.
 */
import { ErrorCode } from '../errors.js';
import { backoffDelay } from './backoff.js';

/** A link that ended with one of these was not a healthy link: it does not reset the backoff. */
export const PROTOCOL_ERRORS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  ErrorCode.PROTO_MALFORMED,
  ErrorCode.PROTO_TOO_LARGE,
  ErrorCode.PROTO_UNEXPECTED,
  ErrorCode.UNSAFE_PATH,
  ErrorCode.INTERNAL,
]);

/** An authentication, TLS setting or compatibility failure will not fix itself quickly: redial at the cap. */
const PERSISTENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([ErrorCode.AUTH_FAILED, ErrorCode.TLS_MISMATCH, ErrorCode.PROTO_VERSION, ErrorCode.CHUNKER_MISMATCH]);

export interface DialOutcome {
  /** The peer id that answered, when the handshake got that far. */
  peerId?: string;
  /** The link was authenticated and registered (it was up for a while). */
  linked: boolean;
  /** Why the attempt or the link ended. */
  code: ErrorCode;
}

export interface DialerHost {
  /** Dials once; resolves when the attempt failed or the resulting link closed. */
  dialOnce(): Promise<DialOutcome>;
  /** Resolves when no live link to `peerId` exists (at once if none). */
  untilUnlinked(peerId: string): Promise<void>;
}

export class Dialer {
  private stopped = false;
  private wake: (() => void) | null = null;
  private knownPeer: string | undefined;

  constructor(
    private readonly host: DialerHost,
    private readonly reconnectMaxMs: number,
  ) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      if (this.knownPeer !== undefined) {
        await Promise.race([this.host.untilUnlinked(this.knownPeer), this.stopSignal()]);
        if (this.stopped) return;
      }
      const outcome = await this.host.dialOnce();
      if (outcome.peerId !== undefined) this.knownPeer = outcome.peerId;
      if (this.stopped) return;
      if (outcome.code === ErrorCode.SELF_CONNECTION) return; // our own address: never redial it
      if ((outcome.linked && !PROTOCOL_ERRORS.has(outcome.code)) || outcome.code === ErrorCode.DUPLICATE_LINK) attempt = 0;
      const delay = PERSISTENT.has(outcome.code) ? this.reconnectMaxMs : backoffDelay(attempt++, this.reconnectMaxMs);
      await this.sleep(delay);
    }
  }

  private stopSignal(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
