/**
 * Validation of every decoded frame: exactly one body, then per-message rules
 * (lengths, path syntax, hash sizes, counts, safe integers). Throws
 * LeftsyncError(PROTO_MALFORMED) naming the first broken rule, or
 * PROTO_TOO_LARGE for a ChunkRequest above its limits.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';
import {
  HASH_BYTES,
  MAC_BYTES,
  MAX_CAPABILITIES,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_PAYLOAD_BYTES,
  MAX_COUNTERS_PER_ENTRY,
  MAX_ENTRIES_PER_FRAME,
  MAX_MESSAGE_LENGTH,
  MAX_MTIME_MS,
  MAX_NAME_LENGTH,
  MAX_PATH_BYTES,
  MAX_PEER_ID_LENGTH,
  MAX_REQUEST_BYTES,
  MAX_TREE_NODE_BYTES,
  MAX_STREAM_CHUNKS_PER_FRAME,
  MAX_TREE_NODES_PER_FRAME,
  MAX_WANTS_PER_REQUEST,
  NONCE_BYTES,
} from './limits.js';
import { FileType, type FileEntry, type Frame, type FrameKind } from './messages.js';
import { pathProblem } from '../model/path.js';

const FRAME_KINDS: readonly FrameKind[] = [
  'authChallenge', 'authResponse', 'authProof', 'authOk', 'hello', 'indexRequest', 'index',
  'indexUpdate', 'treeRequest', 'treeReply', 'chunkRequest', 'chunkReply', 'error',
  'growingFile',
];

const PEER_ID_PATTERN = /^[A-Za-z0-9_-]+$/;
const ERROR_CODE_PATTERN = /^[A-Z0-9_]{1,64}$/;
const FILE_TYPES = new Set<string>([FileType.FILE, FileType.DIRECTORY, FileType.SYMLINK]);

class Malformed extends LeftsyncError {
  constructor(where: string, what: string) {
    super(ErrorCode.PROTO_MALFORMED, `malformed ${where}: ${what}`);
  }
}

/** A request that asks for more than the limits allow: PROTO_TOO_LARGE, which closes the link. */
class TooLarge extends LeftsyncError {
  constructor(where: string, what: string) {
    super(ErrorCode.PROTO_TOO_LARGE, `${where} too large: ${what}`);
  }
}

function ensure(condition: boolean, where: string, what: string): void {
  if (!condition) throw new Malformed(where, what);
}

/** The kinds present in a frame; a valid frame has exactly one. */
export function presentKinds(frame: Frame): FrameKind[] {
  return FRAME_KINDS.filter((kind) => frame[kind] != null);
}

/** The one body field set in a frame; throws when there is not exactly one. */
export function frameKind(frame: Frame): FrameKind {
  const kinds = presentKinds(frame);
  if (kinds.length !== 1) {
    throw new Malformed('frame', kinds.length === 0 ? 'no body field set' : `${kinds.length} body fields set (${kinds.join(', ')})`);
  }
  return kinds[0];
}

function peerId(value: string, where: string, field: string): void {
  ensure(value.length > 0 && value.length <= MAX_PEER_ID_LENGTH && PEER_ID_PATTERN.test(value), where, `${field} is not a valid peer id`);
}

function optionalPeerId(value: string, where: string, field: string): void {
  if (value !== '') peerId(value, where, field);
}

function shortString(value: string, max: number, where: string, field: string): void {
  ensure(value.length <= max, where, `${field} longer than ${max} characters`);
}

function bytesOfSize(value: Uint8Array, size: number, where: string, field: string): void {
  ensure(value.length === size, where, `${field} must be ${size} bytes, got ${value.length}`);
}

function count(value: number, where: string, field: string): void {
  ensure(Number.isSafeInteger(value) && value >= 0, where, `${field} is not a non-negative safe integer`);
}

function wirePath(value: string, where: string): void {
  const problem = pathProblem(value);
  if (problem !== null) throw new Malformed(where, problem);
}

function optionalErrorCode(value: string, where: string): void {
  ensure(value === '' || ERROR_CODE_PATTERN.test(value), where, 'error_code is not a stable code');
}

export function validateFileEntry(entry: FileEntry, where = 'FileEntry'): void {
  wirePath(entry.path, where);
  ensure(FILE_TYPES.has(entry.type), where, 'unknown file type');
  count(entry.size, where, 'size');
  ensure(Number.isSafeInteger(entry.mtimeMs) && Math.abs(entry.mtimeMs) <= MAX_MTIME_MS, where, `mtime_ms is not an integer within ±${MAX_MTIME_MS} (the Date range)`);
  ensure(entry.mode >= 0 && entry.mode <= 0o7777, where, 'mode outside 0..0o7777');
  ensure(entry.version.length <= MAX_COUNTERS_PER_ENTRY, where, `more than ${MAX_COUNTERS_PER_ENTRY} version counters`);
  for (const counter of entry.version) {
    peerId(counter.peerId, where, 'version peer_id');
    count(counter.value, where, 'version value');
  }
  ensure(entry.digest.length === 0 || entry.digest.length === HASH_BYTES, where, `digest must be empty or ${HASH_BYTES} bytes`);
  count(entry.sequence, where, 'sequence');
  ensure(entry.symlinkTarget.length <= MAX_PATH_BYTES && !entry.symlinkTarget.includes('\0'), where, 'bad symlink_target');
  optionalPeerId(entry.modifiedBy, where, 'modified_by');
}

function validateEntries(entries: FileEntry[], where: string): void {
  ensure(entries.length <= MAX_ENTRIES_PER_FRAME, where, `more than ${MAX_ENTRIES_PER_FRAME} entries`);
  entries.forEach((entry, i) => validateFileEntry(entry, `${where}.entries[${i}]`));
}

/** Checks every rule for the frame's one body. Returns the body's kind. */
export function validateFrame(frame: Frame): FrameKind {
  const kind = frameKind(frame);
  switch (kind) {
    case 'authChallenge': {
      const m = frame.authChallenge!;
      bytesOfSize(m.nonce, NONCE_BYTES, kind, 'nonce');
      peerId(m.peerId, kind, 'peer_id');
      break;
    }
    case 'authResponse': {
      const m = frame.authResponse!;
      bytesOfSize(m.nonce, NONCE_BYTES, kind, 'nonce');
      peerId(m.peerId, kind, 'peer_id');
      bytesOfSize(m.mac, MAC_BYTES, kind, 'mac');
      break;
    }
    case 'authProof':
      bytesOfSize(frame.authProof!.mac, MAC_BYTES, kind, 'mac');
      break;
    case 'authOk':
      break;
    case 'hello': {
      const m = frame.hello!;
      ensure(m.protocolVersion >= 1, kind, 'protocol_version missing');
      peerId(m.peerId, kind, 'peer_id');
      ensure(m.chunker != null, kind, 'chunker parameters missing');
      shortString(m.chunker!.engine, MAX_NAME_LENGTH, kind, 'chunker.engine');
      shortString(m.chunker!.hash, MAX_NAME_LENGTH, kind, 'chunker.hash');
      ensure(m.capabilities.length <= MAX_CAPABILITIES, kind, `more than ${MAX_CAPABILITIES} capabilities`);
      for (const capability of m.capabilities) shortString(capability, MAX_NAME_LENGTH, kind, 'capability');
      shortString(m.clientVersion, MAX_NAME_LENGTH, kind, 'client_version');
      shortString(m.instanceId, MAX_NAME_LENGTH, kind, 'instance_id');
      break;
    }
    case 'indexRequest':
      shortString(frame.indexRequest!.indexId, MAX_NAME_LENGTH, kind, 'index_id');
      count(frame.indexRequest!.since, kind, 'since');
      break;
    case 'index':
      shortString(frame.index!.indexId, MAX_NAME_LENGTH, kind, 'index_id');
      validateEntries(frame.index!.entries, kind);
      break;
    case 'indexUpdate':
      shortString(frame.indexUpdate!.indexId, MAX_NAME_LENGTH, kind, 'index_id');
      validateEntries(frame.indexUpdate!.entries, kind);
      break;
    case 'treeRequest': {
      const m = frame.treeRequest!;
      wirePath(m.path, kind);
      bytesOfSize(m.digest, HASH_BYTES, kind, 'digest');
      ensure(m.nodes.length >= 1 && m.nodes.length <= MAX_TREE_NODES_PER_FRAME, kind, `node count outside 1..${MAX_TREE_NODES_PER_FRAME}`);
      for (const hash of m.nodes) bytesOfSize(hash, HASH_BYTES, kind, 'node hash');
      break;
    }
    case 'treeReply': {
      const m = frame.treeReply!;
      optionalErrorCode(m.errorCode, kind);
      ensure(m.nodes.length <= MAX_TREE_NODES_PER_FRAME, kind, `more than ${MAX_TREE_NODES_PER_FRAME} nodes`);
      for (const node of m.nodes) ensure(node.length <= MAX_TREE_NODE_BYTES, kind, `a node larger than ${MAX_TREE_NODE_BYTES} bytes`);
      break;
    }
    case 'chunkRequest': {
      const m = frame.chunkRequest!;
      // Above a limit the peer asks for more than we answer at once: refused as
      // too large (the connection closes with the limit named), never buffered.
      if (m.wants.length > MAX_WANTS_PER_REQUEST) throw new TooLarge(kind, `${m.wants.length} wants, more than ${MAX_WANTS_PER_REQUEST}`);
      ensure(m.wants.length >= 1, kind, 'no wants');
      let bytes = 0;
      m.wants.forEach((want, i) => {
        const where = `${kind}.wants[${i}]`;
        wirePath(want.path, where);
        bytesOfSize(want.digest, HASH_BYTES, where, 'digest');
        count(want.offset, where, 'offset');
        ensure(want.length >= 1 && want.length <= MAX_CHUNK_BYTES, where, `length outside 1..${MAX_CHUNK_BYTES}`);
        bytesOfSize(want.hash, HASH_BYTES, where, 'hash');
        bytes += want.length;
      });
      if (bytes > MAX_REQUEST_BYTES) throw new TooLarge(kind, `asks for ${bytes} bytes, more than ${MAX_REQUEST_BYTES}`);
      break;
    }
    case 'chunkReply': {
      const m = frame.chunkReply!;
      optionalErrorCode(m.errorCode, kind);
      if (m.errorCode === '') bytesOfSize(m.hash, HASH_BYTES, kind, 'hash');
      ensure(m.payload.length <= MAX_CHUNK_PAYLOAD_BYTES, kind, `payload larger than ${MAX_CHUNK_PAYLOAD_BYTES} bytes`);
      ensure(m.index < MAX_WANTS_PER_REQUEST, kind, `index ${m.index} beyond the ${MAX_WANTS_PER_REQUEST} wants a request may have`);
      break;
    }
    case 'growingFile': {
      const m = frame.growingFile!;
      wirePath(m.path, kind);
      count(m.streamId, kind, 'stream_id');
      count(m.size, kind, 'size');
      ensure(!(m.done && m.abandoned), kind, 'both done and abandoned');
      ensure(m.chunks.length <= MAX_STREAM_CHUNKS_PER_FRAME, kind, `more than ${MAX_STREAM_CHUNKS_PER_FRAME} chunks`);
      for (const chunk of m.chunks) {
        count(chunk.offset, kind, 'chunk offset');
        ensure(chunk.length >= 1 && chunk.length <= MAX_CHUNK_BYTES, kind, `chunk length outside 1..${MAX_CHUNK_BYTES}`);
        ensure(chunk.offset + chunk.length <= m.size, kind, 'a chunk past the announced size');
        bytesOfSize(chunk.hash, HASH_BYTES, kind, 'chunk hash');
      }
      break;
    }
    case 'error':
      ensure(ERROR_CODE_PATTERN.test(frame.error!.code), kind, 'code is not a stable code');
      shortString(frame.error!.message, MAX_MESSAGE_LENGTH, kind, 'message');
      break;
  }
  return kind;
}
