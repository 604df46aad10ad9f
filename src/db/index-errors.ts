/** Database failures mapped to our error codes, for every method of the SQLite index. */
import { ErrorCode, LeftsyncError, errorMessage } from '../errors.js';

/** Maps a database failure to our codes: a full disk is DISK_FULL, the rest INDEX. */
export function indexError(err: unknown, what: string): LeftsyncError {
  if (err instanceof LeftsyncError) return err;
  const code = (err as { code?: unknown }).code;
  const detail = errorMessage(err);
  if (code === 'SQLITE_FULL') return new LeftsyncError(ErrorCode.DISK_FULL, `index ${what}: ${detail}`, { cause: err });
  return new LeftsyncError(ErrorCode.INDEX, `index ${what}: ${detail}`, { cause: err });
}

export function guard<A extends unknown[], R>(what: string, fn: (...args: A) => R): (...args: A) => R {
  return (...args: A) => {
    try {
      return fn(...args);
    } catch (err) {
      throw indexError(err, what);
    }
  };
}
