/** Picks the boundary-finding engine for a parameters object. */
import { ErrorCode, LeftsyncError } from '../errors.js';
import { FastCdcScanner } from './fastcdc.js';
import { RabinScanner } from './rabin.js';
import type { BoundaryScanner, ChunkerParams } from './types.js';

export async function createBoundaryScanner(params: ChunkerParams): Promise<BoundaryScanner> {
  switch (params.engine) {
    case 'fastcdc':
      return new FastCdcScanner(params);
    case 'rabin':
      return RabinScanner.create(params);
    default:
      throw new LeftsyncError(ErrorCode.UNKNOWN_ENGINE, `unknown chunking engine "${String(params.engine)}"`);
  }
}
