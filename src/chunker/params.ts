/**
 * Chunker parameters: engine, strong hash and sizes. They go into the protocol
 * handshake, so both peers cut files the same way or refuse to talk.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';
import type { ChunkerParams, EngineId } from './types.js';

/** FastCDC won the benchmark (npm run bench:chunk): ~4x rabin-wasm, same resync. */
export const DEFAULT_ENGINE: EngineId = 'fastcdc';

export const ENGINES: readonly EngineId[] = ['fastcdc', 'rabin'];

const KiB = 1024;
/** A chunk must fit in one frame, so maxSize is a hard ceiling. */
export const CHUNK_SIZES = { minSize: 16 * KiB, avgSize: 64 * KiB, maxSize: 256 * KiB } as const;

function isEngineId(name: string): name is EngineId {
  return (ENGINES as readonly string[]).includes(name);
}

/** The parameters for an engine name (default engine when omitted). */
export function chunkerParams(engine: string = DEFAULT_ENGINE): ChunkerParams {
  if (!isEngineId(engine)) {
    throw new LeftsyncError(
      ErrorCode.UNKNOWN_ENGINE,
      `unknown chunking engine "${engine}" (known: ${ENGINES.join(', ')})`,
    );
  }
  return { engine, hash: 'sha256', ...CHUNK_SIZES };
}

export function sameParams(a: ChunkerParams, b: ChunkerParams): boolean {
  return (
    a.engine === b.engine &&
    a.hash === b.hash &&
    a.minSize === b.minSize &&
    a.avgSize === b.avgSize &&
    a.maxSize === b.maxSize
  );
}
