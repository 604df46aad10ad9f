import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { buildTree } from '../../src/chunker/tree.js';
import { INDEX_FILE, openIndex } from '../../src/db/sqlite-index.js';
import type { StoredChunk } from '../../src/model/entries.js';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const sha = (text: string) => createHash('sha256').update(text).digest();

test('an index of schema 1 (whole-file digests) opens with chunk-tree roots and asks peers for everything again', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-migrate-'));
  dirs.push(dir);
  const big: StoredChunk[] = Array.from({ length: 300 }, (_, i) => ({ offset: i * 65_536, length: 65_536, hash: sha(`chunk ${i}`) }));
  const observed = { type: 'file' as const, mtimeMs: 1, mode: 0o644, symlinkTarget: '', inode: 1 };
  const index = openIndex(dir, 'me');
  const oldId = index.indexId;
  index.recordLocalChange({ ...observed, path: 'big.bin', size: 300 * 65_536, digest: sha('whole file') }, big);
  index.recordLocalChange({ ...observed, path: 'small.txt', size: 5, digest: sha('small') }, [{ offset: 0, length: 5, hash: sha('small') }]);
  index.storeRemoteEntries('peer', 'their-index', [{ ...index.get('big.bin')!, sequence: 7 }]);
  index.startPartial('other.bin', sha('old identity'), 1000);
  const sequence = index.maxSequence();
  index.close();
  // What protocol 1 left behind.
  const raw = new Database(path.join(dir, INDEX_FILE));
  raw.prepare("UPDATE meta SET value = '1' WHERE key = 'schema_version'").run();
  raw.close();

  const migrated = openIndex(dir, 'me');
  try {
    assert.deepEqual(migrated.get('big.bin')!.digest, buildTree(big).root);
    assert.deepEqual(migrated.get('small.txt')!.digest, sha('small'), 'below the smallest chunk the identity is unchanged');
    assert.equal(migrated.maxSequence(), sequence, 'nothing of ours changed but its identity');
    assert.notEqual(migrated.indexId, oldId, 'a new index id: peers resend and re-ask everything');
    assert.deepEqual(migrated.remoteEntries('peer'), []);
    assert.equal(migrated.remoteProgress('peer').sequence, 0);
    assert.deepEqual(migrated.partials(), []);
  } finally {
    migrated.close();
  }
  const again = openIndex(dir, 'me');
  assert.deepEqual(again.get('big.bin')!.digest, buildTree(big).root, 'schema 2 opens as it is');
  again.close();
});
