/**
 * Frames to and from bytes. encodeFrame refuses what decodeFrame would refuse,
 * so a peer never sends a frame the other side must reject. decodeFrame never
 * throws anything but LeftsyncError (PROTO_TOO_LARGE or PROTO_MALFORMED): the
 * generated decoder can throw RangeError, plain Error or even overflow the stack
 * on nested groups, so it is wrapped, and repeated fields are capped while
 * decoding so a small frame cannot allocate millions of objects.
 */
import { ErrorCode, LeftsyncError, errorMessage } from '../errors.js';
import { MaxLengthError } from 'protons-runtime';
import { leftsync } from './generated/leftsync.js';
import {
  MAX_CAPABILITIES,
  MAX_COUNTERS_PER_ENTRY,
  MAX_ENTRIES_PER_FRAME,
  MAX_FRAME_BYTES,
  MAX_STREAM_CHUNKS_PER_FRAME,
  MAX_TREE_NODES_PER_FRAME,
  MAX_WANTS_PER_REQUEST,
} from './limits.js';
import type { Frame, FrameKind } from './messages.js';
import { countBodyFields } from './top-level.js';
import { validateFrame } from './validate.js';

// protons throws MaxLengthError once a repeated field reaches its limit, so each
// limit is one above the largest count validateFrame accepts.
const entryLimits = { version: MAX_COUNTERS_PER_ENTRY + 1 };
const DECODE_LIMITS = {
  hello: { capabilities: MAX_CAPABILITIES + 1 },
  index: { entries: MAX_ENTRIES_PER_FRAME + 1, entries$: entryLimits },
  indexUpdate: { entries: MAX_ENTRIES_PER_FRAME + 1, entries$: entryLimits },
  treeRequest: { nodes: MAX_TREE_NODES_PER_FRAME + 1 },
  treeReply: { nodes: MAX_TREE_NODES_PER_FRAME + 1 },
  chunkRequest: { wants: MAX_WANTS_PER_REQUEST + 1 },
  growingFile: { chunks: MAX_STREAM_CHUNKS_PER_FRAME + 1 },
};

export interface DecodeFrameOptions {
  /** Byte limit for this frame (defaults to MAX_FRAME_BYTES; smaller during the handshake). */
  maxBytes?: number;
}

/** Decodes and validates one frame. Throws LeftsyncError(PROTO_TOO_LARGE | PROTO_MALFORMED). */
export function decodeFrame(bytes: Uint8Array, options: DecodeFrameOptions = {}): Frame {
  const maxBytes = options.maxBytes ?? MAX_FRAME_BYTES;
  if (bytes.length > maxBytes) {
    throw new LeftsyncError(ErrorCode.PROTO_TOO_LARGE, `frame of ${bytes.length} bytes exceeds the limit of ${maxBytes}`);
  }
  const bodies = countBodyFields(bytes);
  if (bodies === null) throw new LeftsyncError(ErrorCode.PROTO_MALFORMED, 'undecodable frame: not a protobuf message');
  if (bodies !== 1) throw new LeftsyncError(ErrorCode.PROTO_MALFORMED, `malformed frame: ${bodies} body fields, expected exactly one`);
  let frame: Frame;
  try {
    frame = leftsync.Frame.decode(bytes, { limits: DECODE_LIMITS });
  } catch (err) {
    // A ChunkRequest with more wants than we answer is a request too large, as validateFrame says for one just at the cap.
    const code = err instanceof MaxLengthError && /"wants"/.test(err.message) ? ErrorCode.PROTO_TOO_LARGE : ErrorCode.PROTO_MALFORMED;
    throw new LeftsyncError(code, `undecodable frame: ${errorMessage(err)}`, { cause: err });
  }
  validateFrame(frame);
  return frame;
}

/** Validates and encodes one frame. Throws LeftsyncError for a frame the peer would reject. */
export function encodeFrame(frame: Frame): Uint8Array {
  validateFrame(frame);
  const bytes = leftsync.Frame.encode(frame);
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new LeftsyncError(ErrorCode.PROTO_TOO_LARGE, `frame of ${bytes.length} bytes exceeds the limit of ${MAX_FRAME_BYTES}`);
  }
  return bytes;
}

/** Encodes without validation. Tests use it to produce invalid frames on purpose. */
export function encodeFrameUnchecked(frame: Partial<Frame>): Uint8Array {
  return leftsync.Frame.encode(frame);
}

export type { Frame, FrameKind };
