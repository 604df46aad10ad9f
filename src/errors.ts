/**
 * The one list of leftsync error codes. Every error a user or a peer can see
 * carries one of these stable codes; the wire sends the code string as is.
 */
export const ErrorCode = {
  /** Bad command-line usage or an unusable argument (exit code 2). */
  USAGE: 'LS_USAGE',
  /** A file or folder the user named does not exist or is the wrong kind. */
  BAD_INPUT: 'LS_BAD_INPUT',
  /** The chunking engine named is not known. */
  UNKNOWN_ENGINE: 'LS_UNKNOWN_ENGINE',
  /** An LZ4 block is corrupt, truncated, or its declared size is wrong. */
  CODEC_CORRUPT: 'LS_CODEC_CORRUPT',
  /** A block declares a size above the allowed maximum. */
  CODEC_TOO_LARGE: 'LS_CODEC_TOO_LARGE',
  /** A frame could not be decoded or failed validation. */
  PROTO_MALFORMED: 'LS_PROTO_MALFORMED',
  /** A frame is larger than the maximum message size. */
  PROTO_TOO_LARGE: 'LS_PROTO_TOO_LARGE',
  /** A frame arrived that is not allowed in the current connection state. */
  PROTO_UNEXPECTED: 'LS_PROTO_UNEXPECTED',
  /** The peers speak different protocol versions. */
  PROTO_VERSION: 'LS_PROTO_VERSION',
  /** The peers use different chunker parameters. */
  CHUNKER_MISMATCH: 'LS_CHUNKER_MISMATCH',
  /** Authentication failed: wrong secret or a replayed handshake. */
  AUTH_FAILED: 'LS_AUTH_FAILED',
  /** One peer runs with TLS, the other with --no-tls; both must agree. */
  TLS_MISMATCH: 'LS_TLS_MISMATCH',
  /** The TLS handshake failed (not TLS, or no common TLS 1.3 parameters). */
  TLS_FAILED: 'LS_TLS_FAILED',
  /** An unauthenticated connection was refused or evicted: too many from that address, or in all. */
  TOO_MANY_CONNECTIONS: 'LS_TOO_MANY_CONNECTIONS',
  /** A connection was refused: its address failed authentication too often recently. */
  AUTH_BACKOFF: 'LS_AUTH_BACKOFF',
  /** The handshake did not finish in time. */
  HANDSHAKE_TIMEOUT: 'LS_HANDSHAKE_TIMEOUT',
  /** No secret configured and --insecure not given. */
  NO_SECRET: 'LS_NO_SECRET',
  /** The peer stopped answering pings. */
  PEER_TIMEOUT: 'LS_PEER_TIMEOUT',
  /** A connection to this peer already exists (duplicate link, tie-break lost). */
  DUPLICATE_LINK: 'LS_DUPLICATE_LINK',
  /** A peer connected to itself. */
  SELF_CONNECTION: 'LS_SELF_CONNECTION',
  /** A path is unsafe: '..', absolute, NUL byte, or leads outside the share. */
  UNSAFE_PATH: 'LS_UNSAFE_PATH',
  /** The requested file version is no longer available at the source. */
  VERSION_GONE: 'LS_VERSION_GONE',
  /** A chunk did not match its hash. */
  CHUNK_HASH_MISMATCH: 'LS_CHUNK_HASH_MISMATCH',
  /** A chunk-tree node does not match its hash, its level or its parent's byte count. */
  TREE_INVALID: 'LS_TREE_INVALID',
  /** An assembled file is not every chunk of its version (a chunk missing, or the wrong size). */
  DIGEST_MISMATCH: 'LS_DIGEST_MISMATCH',
  /** The local file changed while a transfer was replacing it. */
  LOCAL_CHANGED: 'LS_LOCAL_CHANGED',
  /** No space left on the device. */
  DISK_FULL: 'LS_DISK_FULL',
  /**
   * The share is not there as recorded: its marker (.leftsync-share) is missing or
   * its root is on another device (unmounted, replaced). Nothing is scanned or applied.
   */
  SHARE_MISSING: 'LS_SHARE_MISSING',
  /** A read or write in the share or state folder failed. */
  IO: 'LS_IO',
  /** The index database is unusable. */
  INDEX: 'LS_INDEX',
  /** The connection closed while a request was outstanding. */
  CONNECTION_CLOSED: 'LS_CONNECTION_CLOSED',
  /** The status endpoint was asked without its token, or with a wrong one. */
  STATUS_UNAUTHORIZED: 'LS_STATUS_UNAUTHORIZED',
  /** No node answers for that state folder (leftsync status; exit code 1). */
  NOT_RUNNING: 'LS_NOT_RUNNING',
  /** Another leftsync process holds the state folder's lock (exit code 1). */
  LOCKED: 'LS_LOCKED',
  /** --dry-run saw no peer link within its wait, so it had nothing to compare with (exit code 1). */
  NO_PEER: 'LS_NO_PEER',
  /** The port to listen on is taken by another process (exit code 1). */
  PORT_IN_USE: 'LS_PORT_IN_USE',
  /** The peer is shutting down (SIGINT/SIGTERM); it closes its links with this code. */
  STOPPING: 'LS_STOPPING',
  /** Something that should not happen happened. */
  INTERNAL: 'LS_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

export function isErrorCode(code: string): code is ErrorCode {
  return KNOWN_CODES.has(code);
}

export class LeftsyncError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LeftsyncError';
    this.code = code;
  }
}

/** The message of anything thrown (a non-Error is turned into a string). */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Maps a Node.js system error to our code, keeping the original as cause. */
export function fromSystemError(err: unknown, what: string): LeftsyncError {
  if (err instanceof LeftsyncError) return err;
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno === 'ENOSPC' || errno === 'EDQUOT') {
    return new LeftsyncError(ErrorCode.DISK_FULL, `${what}: no space left on device`, { cause: err });
  }
  return new LeftsyncError(ErrorCode.IO, `${what}: ${errorMessage(err)}`, { cause: err });
}

/** The errno code (e.g. ENOENT) of a system error, or of the one a LeftsyncError wraps. */
export function errnoOf(err: unknown): string | undefined {
  const cause = err instanceof LeftsyncError ? (err.cause as NodeJS.ErrnoException | undefined) : (err as NodeJS.ErrnoException);
  return cause?.code;
}
