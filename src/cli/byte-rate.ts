/**
 * `--bwlimit RATE`: bytes per second, a whole or decimal number with an
 * optional suffix K, M or G (case-insensitive; 1024, 1024^2, 1024^3; an "iB"
 * or "B" after it is allowed: 10M = 10MiB = 10MB = 10 * 1048576). Unlike
 * rsync, whose bare number means KiB, a bare number here is bytes.
 * 0 means no limit, as in rsync.
 */
import { ErrorCode, LeftsyncError } from '../errors.js';

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** The smallest rate accepted: slower would hold a 256 KiB chunk for minutes. */
export const MIN_RATE = 1024;

/** Bytes per second (0 = no limit); a value it cannot read throws LS_USAGE. */
export function parseByteRate(value: string, option = '--bwlimit'): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(?:i?b)?\s*$/i.exec(value);
  const bad = (why: string): LeftsyncError =>
    new LeftsyncError(ErrorCode.USAGE, `${option} ${why}, got "${value}" (bytes per second, e.g. 500k, 10M, 1G or 65536; 0 = no limit)`);
  if (match === null) throw bad('must be a number with an optional K, M or G');
  const rate = Math.floor(Number(match[1]) * UNITS[match[2]!.toLowerCase()]!);
  if (rate === 0 && Number(match[1]) === 0) return 0;
  if (rate < MIN_RATE) throw bad(`must be at least 1K (${MIN_RATE} bytes per second)`);
  if (!Number.isSafeInteger(rate)) throw bad('is too large');
  return rate;
}
