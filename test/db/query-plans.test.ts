import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { applySchema } from '../../src/db/schema.js';
import { prepareStatements } from '../../src/db/statements.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** The query plan's lines (EXPLAIN QUERY PLAN's detail column). */
function planOf(db: Database.Database, sql: string, params: unknown[]): string[] {
  return db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params)
    .map((row) => (row as { detail: string }).detail);
}

describe('index query plans', () => {
  it('the versions peers announced for one path are found by key, not by scanning every remote entry', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-plans-'));
    dirs.push(dir);
    const db = new Database(path.join(dir, 'index.db'));
    try {
      applySchema(db);
      const getMeta = db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?');
      const setMeta = db.prepare<[string, string]>('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
      const stmt = prepareStatements(db, getMeta, setMeta);
      // Called for every local change the scanner records: a scan of a remote
      // entry per call made a first scan of n files cost n * (remote entries).
      const plan = planOf(db, stmt.announcedVersions.source, ['some/path']);
      assert.ok(plan.length > 0);
      for (const line of plan) assert.doesNotMatch(line, /^SCAN r\b/, `plan: ${plan.join(' | ')}`);
      assert.ok(plan.some((line) => /remote_entries.*PRIMARY KEY|USING INDEX sqlite_autoindex_remote_entries/.test(line)), `plan: ${plan.join(' | ')}`);
    } finally {
      db.close();
    }
  });
});
