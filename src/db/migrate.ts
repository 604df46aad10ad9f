/**
 * Index migrations and meta set-up, run inside the transaction that opens the index.
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
import { ErrorCode, LeftsyncError } from '../errors.js';
import { createLogger } from '../log.js';
import { SCHEMA_VERSION } from './schema.js';

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

/**
 * Brings the meta table of an index being opened up to date: its schema version
 * (migrating from 1, refusing a newer one), an index id and sequence on first use,
 * and the peer id. Returns the index id.
 */
export function prepareMeta(
  db: Database.Database,
  peerId: string,
  getMeta: Database.Statement<[string], { value: string }>,
  setMeta: Database.Statement<[string, string]>,
): string {
  const schema = getMeta.get('schema_version')?.value;
  if (schema === '1') migrateFrom1(db);
  else if (schema !== undefined && Number(schema) !== SCHEMA_VERSION) {
    throw new LeftsyncError(ErrorCode.INDEX, `index schema ${schema} is not the supported ${SCHEMA_VERSION}`);
  }
  setMeta.run('schema_version', String(SCHEMA_VERSION));
  let indexId = getMeta.get('index_id')?.value;
  if (indexId === undefined) {
    indexId = randomBytes(16).toString('hex');
    setMeta.run('index_id', indexId);
    setMeta.run('sequence', '0');
  }
  const storedPeer = getMeta.get('peer_id')?.value;
  if (storedPeer !== undefined && storedPeer !== peerId) {
    log.warn('index.peer_changed', { msg: 'index was created by another peer id', stored: storedPeer, now: peerId });
  }
  setMeta.run('peer_id', peerId);
  return indexId;
}
