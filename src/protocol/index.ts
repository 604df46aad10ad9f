/** The wire protocol's public face: frames to and from bytes, limits, path syntax. */
export { decodeFrame, encodeFrame, encodeFrameUnchecked, type DecodeFrameOptions } from './frame.js';
export { validateFrame, validateFileEntry, frameKind } from './validate.js';
export { wirePathProblem, isWirePath } from './path.js';
export * from './limits.js';
export * from './messages.js';
