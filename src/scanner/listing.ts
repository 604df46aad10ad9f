/**
 * A folder's entries, read so that the walk can ask for the next folder's while
 * it works on the one before (src/scanner/scanner.ts): the promise never
 * rejects, so a listing read ahead and never used is no unhandled rejection.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';

export type Listing = { dirents: Dirent[] } | { err: unknown };

export function list(dirAbs: string): Promise<Listing> {
  return readdir(dirAbs, { withFileTypes: true }).then(
    (dirents) => ({ dirents }),
    (err: unknown) => ({ err }),
  );
}
