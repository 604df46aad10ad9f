/**
 * Index migrations, run inside the transaction that opens the index.
 *
 * 1 -> 2 (protocol 2): a file's identity became the root of its chunk tree
 * instead of the SHA-256 of its bytes (src/chunker/tree.ts, fileRoot). The
 * chunk lists are unchanged, so each live file's identity is recomputed from its
 * list (files below the smallest chunk keep theirs: it is the same value). What
 * peers told us, and partial downloads, are keyed by the old identities: they
 * are forgotten, and a new index id makes every peer send its entries again
 * and ask for ours again. Orphaned temp files go at the next start-up clean.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { CHUNK_SIZES } from '../chunker/params.js';
import { buildTree } from '../chunker/tree.js';
import { createLogger } from '../log.js';

const log = createLogger('index');

export function migrateFrom1(db: Database.Database): void {
  const files = db
    .prepare<[number], { path: string }>("SELECT path FROM entries WHERE type = 'file' AND deleted = 0 AND size >= ?")
    .all(CHUNK_SIZES.minSize);
  const chunksOf = db.prepare<[string], { length: number; hash: Buffer }>('SELECT length, hash FROM chunks WHERE path = ? ORDER BY offset');
  const setDigest = db.prepare<[Buffer, string]>('UPDATE entries SET digest = ? WHERE path = ?');
  for (const { path } of files) setDigest.run(buildTree(chunksOf.all(path)).root, path);
  db.exec('DELETE FROM remote_entries; DELETE FROM remote_progress; DELETE FROM partial_chunks; DELETE FROM partials;');
  db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run('index_id', randomBytes(16).toString('hex'));
  log.info('index.migrated', { from: 1, to: 2, files: files.length });
}
