/**
 * Size and count limits of the wire protocol. Every decoded frame is checked
 * against them (src/protocol/validate.ts) and senders must batch to stay inside.
 *
 * Why 4 MiB per frame: the largest single payload is a chunk (at most 256 KiB,
 * plus LZ4's worst-case growth), and the largest list is a TreeReply: at most
 * MAX_TREE_NODES_PER_FRAME nodes of at most MAX_TREE_NODE_BYTES each (~2.6 MiB).
 * A file's chunk list never crosses the wire whole, so file size has no frame
 * limit. Index batches are bounded by count below and must also stay under
 * MAX_FRAME_BYTES (a FileEntry with a 4 KiB path is ~4.2 KiB).
 */
const KiB = 1024;
const MiB = 1024 * KiB;

/** Largest encoded frame accepted or sent (also the WebSocket maxPayload). */
export const MAX_FRAME_BYTES = 4 * MiB;
/** Largest frame accepted before authentication completes (auth frames and Hello are tiny). */
export const MAX_HANDSHAKE_FRAME_BYTES = 4 * KiB;

/** SHA-256: chunk hashes, tree node hashes and file roots. */
export const HASH_BYTES = 32;
/** Handshake nonces. */
export const NONCE_BYTES = 32;
/** HMAC-SHA-256 output. */
export const MAC_BYTES = 32;

/** Path lengths are part of the one path rule (src/model/path.ts). */
export { MAX_PATH_BYTES, MAX_SEGMENT_BYTES } from '../model/path.js';
/** Peer ids: letters, digits, '-' and '_'. */
export const MAX_PEER_ID_LENGTH = 64;
/** Short identifiers: index ids, instance ids, engine and hash names, versions. */
export const MAX_NAME_LENGTH = 128;
/** Human-readable error messages. */
export const MAX_MESSAGE_LENGTH = 4096;

/** Largest chunk (the chunker's maxSize is 256 KiB). */
export const MAX_CHUNK_BYTES = 256 * KiB;
/** Largest chunk payload: LZ4's worst case (n + n/255 + 16) plus a 4-byte size prefix, rounded up. */
export const MAX_CHUNK_PAYLOAD_BYTES = MAX_CHUNK_BYTES + 2 * KiB;

/**
 * Wants in one ChunkRequest: enough for a batch of small files (the session
 * batches 128) or a 4 MiB run of 16 KiB chunks in one frame. With paths of at
 * most MAX_PATH_BYTES a full request stays near 1.1 MiB, under MAX_FRAME_BYTES.
 */
export const MAX_WANTS_PER_REQUEST = 256;
/**
 * Chunk bytes (the sum of the wants' lengths) one ChunkRequest may ask for: what
 * the supplier reads and holds to answer it. Its replies are one frame per chunk.
 */
export const MAX_REQUEST_BYTES = 4 * MiB;

/** FileEntries in one Index or IndexUpdate frame. */
export const MAX_ENTRIES_PER_FRAME = 10_000;
/** Counters in one version vector (one per peer that ever changed the path). */
export const MAX_COUNTERS_PER_ENTRY = 1_024;
/** Node hashes in one TreeRequest, encoded nodes in one TreeReply. */
export const MAX_TREE_NODES_PER_FRAME = 256;
/** Largest encoded chunk-tree node: a 6-byte header and 256 children of 40 bytes (src/chunker/tree.ts). */
export const MAX_TREE_NODE_BYTES = 6 + 256 * 40;
/** Chunks in one GrowingFile frame (~45 bytes each). */
export const MAX_STREAM_CHUNKS_PER_FRAME = 1024;
/** Capabilities in one Hello. */
export const MAX_CAPABILITIES = 64;

/**
 * Largest |mtime_ms|: the range of a JavaScript Date (±100,000,000 days around
 * the epoch), so every accepted time can be handed to fs.utimes. Filesystems may
 * clamp further (ext4 stores 1901-12-13 .. 2446); that is their limit, not the wire's.
 */
export const MAX_MTIME_MS = 8.64e15;
