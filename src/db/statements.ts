/** The prepared statements of the SQLite index (src/db/sqlite-index.ts), prepared once per open. */
import type Database from 'better-sqlite3';
import type { EntryType } from '../model/entries.js';
import { ENTRY_FIELDS, ENTRY_VALUES, LOCAL_ENTRY_FIELDS, LOCAL_ENTRY_VALUES, SEEN_FIELDS, type ChunkRow, type EntryRow, type PartialRow, type SeenPathRow, type SeenRow } from './rows.js';

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(
  db: Database.Database,
  getMeta: Database.Statement<[string], { value: string }>,
  setMeta: Database.Statement<[string, string]>,
) {
  return {
    getMeta,
    setMeta,
    get: db.prepare<[string], EntryRow>(`SELECT ${LOCAL_ENTRY_FIELDS} FROM entries WHERE path = ?`),
    all: db.prepare<[], EntryRow>(`SELECT ${LOCAL_ENTRY_FIELDS} FROM entries ORDER BY path`),
    under: db.prepare<[string, string], EntryRow>(
      `SELECT ${LOCAL_ENTRY_FIELDS} FROM entries WHERE path >= ? AND path < ? ORDER BY path`,
    ),
    livePathsAfter: db.prepare<[string, number], { path: string; type: EntryType }>(
      'SELECT path, type FROM entries WHERE path > ? AND deleted = 0 ORDER BY path LIMIT ?',
    ),
    // Raw arrays: the scanner reads a row per file of each folder (row objects cost nearly twice as much).
    pathsFrom: db.prepare<[string, number], SeenPathRow>(`SELECT path, ${SEEN_FIELDS} FROM entries WHERE path >= ? ORDER BY path LIMIT ?`).raw(true),
    pathsInRange: db
      .prepare<[string, string, number], SeenPathRow>(`SELECT path, ${SEEN_FIELDS} FROM entries WHERE path >= ? AND path < ? ORDER BY path LIMIT ?`)
      .raw(true),
    seenOf: db.prepare<[string], SeenRow>(`SELECT ${SEEN_FIELDS} FROM entries WHERE path = ?`),
    versionOf: db.prepare<[string], string>('SELECT version FROM entries WHERE path = ?').pluck(),
    after: db.prepare<[string, number], EntryRow>(`SELECT ${LOCAL_ENTRY_FIELDS} FROM entries WHERE path > ? ORDER BY path LIMIT ?`),
    remoteAfter: db.prepare<[string, string, number], EntryRow>(
      `SELECT ${ENTRY_FIELDS} FROM remote_entries WHERE peer = ? AND path > ? ORDER BY path LIMIT ?`,
    ),
    remoteCount: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM remote_entries WHERE peer = ?'),
    partialsOf: db.prepare<[string], PartialRow>('SELECT temp_name, path, digest, size FROM partials WHERE path = ?'),
    since: db.prepare<[number, number], EntryRow>(
      `SELECT ${LOCAL_ENTRY_FIELDS} FROM entries WHERE sequence > ? ORDER BY sequence LIMIT ?`,
    ),
    putEntry: db.prepare(`INSERT OR REPLACE INTO entries (${LOCAL_ENTRY_FIELDS}) VALUES (${LOCAL_ENTRY_VALUES})`),
    setInode: db.prepare<[number, string]>('UPDATE entries SET inode = ? WHERE path = ?'),
    chunksOf: db.prepare<[string], ChunkRow>('SELECT offset, length, hash FROM chunks WHERE path = ? ORDER BY offset'),
    deleteChunks: db.prepare<[string]>('DELETE FROM chunks WHERE path = ?'),
    insertChunk: db.prepare<[string, number, number, Buffer]>(
      'INSERT OR REPLACE INTO chunks (path, offset, length, hash) VALUES (?, ?, ?, ?)',
    ),
    fileWithDigest: db.prepare<[Buffer], { path: string }>(
      "SELECT path FROM entries WHERE digest = ? AND deleted = 0 AND type = 'file' LIMIT 1",
    ),
    findFileChunk: db.prepare<[Buffer], { path: string; offset: number; length: number }>(
      'SELECT path, offset, length FROM chunks WHERE hash = ? LIMIT 1',
    ),
    findPartialChunk: db.prepare<[Buffer], { temp_name: string; offset: number; length: number }>(
      'SELECT temp_name, offset, length FROM partial_chunks WHERE hash = ? LIMIT 1',
    ),
    getProgress: db.prepare<[string], { index_id: string; sequence: number }>(
      'SELECT index_id, sequence FROM remote_progress WHERE peer = ?',
    ),
    setProgress: db.prepare<[string, string, number]>(
      'INSERT OR REPLACE INTO remote_progress (peer, index_id, sequence) VALUES (?, ?, ?)',
    ),
    putRemote: db.prepare(
      `INSERT OR REPLACE INTO remote_entries (peer, ${ENTRY_FIELDS}) VALUES (@peer, ${ENTRY_VALUES})`,
    ),
    remoteEntry: db.prepare<[string, string], EntryRow>(
      `SELECT ${ENTRY_FIELDS} FROM remote_entries WHERE peer = ? AND path = ?`,
    ),
    remoteShape: db.prepare<[string, string], { type: string; size: number; deleted: number }>(
      'SELECT type, size, deleted FROM remote_entries WHERE peer = ? AND path = ?',
    ),
    // CROSS JOIN keeps remote_progress (a row per peer) outside: SQLite's own
    // choice scanned every remote entry, per local change the scanner records.
    announcedVersions: db.prepare<[string], { version: string }>(
      'SELECT r.version FROM remote_progress p CROSS JOIN remote_entries r ON r.peer = p.peer AND r.path = ?',
    ),
    remoteEntries: db.prepare<[string], EntryRow>(
      `SELECT ${ENTRY_FIELDS} FROM remote_entries WHERE peer = ? ORDER BY path`,
    ),
    deleteRemote: db.prepare<[string]>('DELETE FROM remote_entries WHERE peer = ?'),
    partialByPath: db.prepare<[string, Buffer], PartialRow>(
      'SELECT temp_name, path, digest, size FROM partials WHERE path = ? AND digest = ?',
    ),
    partialByName: db.prepare<[string], PartialRow>('SELECT temp_name, path, digest, size FROM partials WHERE temp_name = ?'),
    allPartials: db.prepare<[], PartialRow>('SELECT temp_name, path, digest, size FROM partials ORDER BY temp_name'),
    insertPartial: db.prepare<[string, string, Buffer, number]>(
      'INSERT INTO partials (temp_name, path, digest, size) VALUES (?, ?, ?, ?)',
    ),
    verifiedOffsets: db.prepare<[string], { offset: number }>('SELECT offset FROM partial_chunks WHERE temp_name = ?'),
    insertPartialChunk: db.prepare<[string, number, number, Buffer]>(
      'INSERT OR REPLACE INTO partial_chunks (temp_name, offset, length, hash) VALUES (?, ?, ?, ?)',
    ),
    deletePartial: db.prepare<[string]>('DELETE FROM partials WHERE temp_name = ?'),
  };
}
