/**
 * The chunking engine's public face: parameters, streaming signatures, diffs.
 * Engines (fastcdc, rabin) live behind BoundaryScanner; callers never pick a
 * scanner themselves.
 */
export type { EngineId, ChunkerParams, Chunk, FileSignature } from './types.js';
export { DEFAULT_ENGINE, ENGINES, CHUNK_SIZES, chunkerParams, sameParams } from './params.js';
export { signStream, signBuffer, type ChunkSink } from './sign.js';
export { signFile, readFileReusing, READ_BUFFER } from './file.js';
export { diffSignatures, hashKey, type SignatureDiff } from './diff.js';
