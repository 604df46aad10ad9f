/**
 * The index database layout. One file, <stateDir>/index.db, in WAL mode.
 *
 * synchronous=NORMAL: with WAL this keeps the database consistent after a crash of
 * the process (SIGKILL) or of the machine; what a power cut may lose is only the last
 * few commits, never the structure. Losing them is harmless here: the scanner compares
 * the share with the index at every start and records whatever differs. FULL would add
 * an fsync to every one of the thousands of per-file transactions of a first scan.
 */
import type Database from 'better-sqlite3';

/** 2: file identities are chunk-tree roots (see migrate.ts). */
export const SCHEMA_VERSION = 2;

/** Columns shared by our entries and the entries peers announced. */
const ENTRY_COLUMNS = `
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  mode INTEGER NOT NULL,
  digest BLOB NOT NULL,
  symlink_target TEXT NOT NULL,
  inode INTEGER NOT NULL,
  version TEXT NOT NULL,           -- JSON object: peer id -> counter
  deleted INTEGER NOT NULL,
  sequence INTEGER NOT NULL,
  modified_by TEXT NOT NULL`;

/** SQLite page cache of the index connection, in KiB. */
export const CACHE_KIB = 4096;

export function applySchema(db: Database.Database): void {
  // One process owns the index (the state folder's lock): an exclusive lock taken
  // once spares every statement its shared-memory locks (~2 us each, dozens per
  // synced file), and, set before WAL is first used, keeps the WAL index in heap memory.
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection, a sixth of
  // the 100 MB a node may use; 4 MB holds the inner pages of every table and index
  // of a 100,000-file share, and what misses it is in the OS page cache.
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (
      key TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS entries (
      path TEXT PRIMARY KEY,
      ${ENTRY_COLUMNS},
      superseded TEXT                  -- JSON version vector (IndexEntry.superseded), mostly NULL
    );
    CREATE UNIQUE INDEX IF NOT EXISTS entries_by_sequence ON entries(sequence);
    -- A file arriving under a new name (renamed, moved, copied) finds its tree here.
    CREATE INDEX IF NOT EXISTS entries_by_digest ON entries(digest);
    CREATE TABLE IF NOT EXISTS chunks (
      path TEXT NOT NULL,
      offset INTEGER NOT NULL,
      length INTEGER NOT NULL,
      hash BLOB NOT NULL,
      PRIMARY KEY (path, offset)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS chunks_by_hash ON chunks(hash);
    CREATE TABLE IF NOT EXISTS remote_entries (
      peer TEXT NOT NULL,
      path TEXT NOT NULL,
      ${ENTRY_COLUMNS},
      PRIMARY KEY (peer, path)
    );
    CREATE TABLE IF NOT EXISTS remote_progress (
      peer TEXT PRIMARY KEY,
      index_id TEXT NOT NULL,
      sequence INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS partials (
      temp_name TEXT PRIMARY KEY,
      path TEXT NOT NULL,
      digest BLOB NOT NULL,
      size INTEGER NOT NULL,
      UNIQUE (path, digest)
    );
    CREATE TABLE IF NOT EXISTS partial_chunks (
      temp_name TEXT NOT NULL REFERENCES partials(temp_name) ON DELETE CASCADE,
      offset INTEGER NOT NULL,
      length INTEGER NOT NULL,
      hash BLOB NOT NULL,
      PRIMARY KEY (temp_name, offset)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS partial_chunks_by_hash ON partial_chunks(hash);
  `);
  // Indexes written before the column existed get it here (NULL everywhere: nothing
  // superseded is known for their paths, as before).
  const columns = db.prepare<[], { name: string }>("SELECT name FROM pragma_table_info('entries')").all();
  if (!columns.some((c) => c.name === 'superseded')) db.exec('ALTER TABLE entries ADD COLUMN superseded TEXT');
}
