/**
 * The settings of a running leftsync node, resolved from the command line and
 * environment by src/cli/ and passed down as one object.
 */
export const DEFAULT_PORT = 27182;

export interface PeerAddress {
  host: string;
  port: number;
}

export interface NodeConfig {
  /** Absolute path of the shared folder (created when missing). */
  shareDir: string;
  /** Absolute path of the state folder (index, peer id, temp files); never synced. */
  stateDir: string;
  /** Address to listen on. */
  listenHost: string;
  /** Port to listen on. */
  port: number;
  /** Peers to dial. */
  peers: PeerAddress[];
  /** Pre-shared secret; null only with insecure. */
  secret: Buffer | null;
  /** Run without authentication (warned about loudly). */
  insecure: boolean;
  /** TLS (wss) on every link; false with --no-tls (loopback, trusted LANs). Both peers must agree. */
  tls: boolean;
  /** Chunking engine name ("fastcdc", "rabin"). */
  engine: string;
  /** WebSocket ping interval, ms. */
  pingIntervalMs: number;
  /** A peer silent for this long is dropped, ms. */
  pingTimeoutMs: number;
  /** Cap of the reconnect backoff, ms. */
  reconnectMaxMs: number;
  /** Handshake must complete within this, ms. */
  handshakeTimeoutMs: number;
  /** Full rescan period, ms (the safety net behind the watcher). */
  rescanIntervalMs: number;
  /** A changed file must be quiet this long before it is hashed, ms. */
  settleMs: number;
  /** How often a link logs its byte counters (transfer.stats) while they change, ms. */
  statsIntervalMs?: number;
  /** Port of the status endpoint on 127.0.0.1 (0 = any free port, written to <state>/status-port). */
  guiPort: number;
  /** Extra gitignore-style patterns left out of the sync (--exclude), after .leftsyncignore. */
  exclude?: string[];
  /** Cap on chunk payload bytes sent per second, all links together (--bwlimit); 0 or absent: no limit. */
  uploadLimitBytesPerSec?: number;
  /**
   * --dry-run: link, exchange indexes and report what would be applied, applying
   * nothing and sending the peers no index of ours (so they change nothing either).
   */
  dryRun?: boolean;
  /** Files at least this large publish their chunk list while hashed (streaming sync); default STREAM_MIN_BYTES. */
  streamMinBytes?: number;
  /** Test hook: ms each hashed 1 MiB slice of a streaming file waits (a slow hash to watch a list grow). */
  hashPaceMs?: number;
}

export const DEFAULTS = {
  port: DEFAULT_PORT,
  listenHost: '0.0.0.0',
  engine: 'fastcdc',
  pingIntervalMs: 1_000,
  pingTimeoutMs: 5_000,
  reconnectMaxMs: 2_000,
  handshakeTimeoutMs: 10_000,
  rescanIntervalMs: 60_000,
  settleMs: 300,
  statsIntervalMs: 5_000,
  guiPort: 0,
} as const;
