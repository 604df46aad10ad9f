/**
 * planEntry, the dry run's decision for one remote entry, against an in-memory
 * index: one case per kind of plan item, and the metadata-only cases it leaves out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { IndexEntry, ObservedEntry } from '../../src/model/entries.js';
import { planEntry } from '../../src/peer/dry-run.js';
import { MemoryIndex } from './memory-index.js';

const ME = 'aaaaaaaaaaaaaaaa';
const PEER = 'bbbbbbbbbbbbbbbb';

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

function observed(path: string, over: Partial<ObservedEntry> = {}): ObservedEntry {
  return { path, type: 'file', size: 3, mtimeMs: 1_000, mode: 0o644, digest: digest(path), symlinkTarget: '', inode: 1, ...over };
}

function remote(local: IndexEntry | undefined, path: string, over: Partial<IndexEntry> = {}): IndexEntry {
  const version = { ...(local?.version ?? {}), [PEER]: 1 };
  return { ...observed(path), version, deleted: false, sequence: 1, modifiedBy: PEER, ...over };
}

test('new file, newer version, deletion, folder, link: one item each', () => {
  const index = new MemoryIndex(ME);
  const edited = index.recordLocalChange(observed('edited.txt'), []);
  const gone = index.recordLocalChange(observed('gone.txt'), []);
  assert.deepEqual(planEntry(index, PEER, remote(undefined, 'new.txt', { size: 9 })), [{ action: 'pull', peer: PEER, path: 'new.txt', size: 9, replaces: false }]);
  assert.deepEqual(planEntry(index, PEER, remote(edited, 'edited.txt', { size: 5, digest: digest('v2') })), [
    { action: 'pull', peer: PEER, path: 'edited.txt', size: 5, replaces: true },
  ]);
  assert.deepEqual(planEntry(index, PEER, remote(gone, 'gone.txt', { deleted: true })), [{ action: 'delete', peer: PEER, path: 'gone.txt', kind: 'file' }]);
  assert.deepEqual(planEntry(index, PEER, remote(undefined, 'docs', { type: 'dir', size: 0, digest: Buffer.alloc(0) })), [{ action: 'mkdir', peer: PEER, path: 'docs' }]);
  assert.deepEqual(planEntry(index, PEER, remote(undefined, 'l', { type: 'symlink', size: 0, symlinkTarget: 'docs/x' })), [
    { action: 'symlink', peer: PEER, path: 'l', target: 'docs/x' },
  ]);
});

test('concurrent edits: the loser side plans a conflict copy and then the pull', () => {
  const index = new MemoryIndex(ME);
  index.recordLocalChange(observed('both.txt', { mtimeMs: 1_000 }), []);
  const theirs = remote(undefined, 'both.txt', { mtimeMs: 5_000, digest: digest('theirs'), size: 6 });
  const plan = planEntry(index, PEER, theirs);
  assert.equal(plan.length, 2);
  assert.equal(plan[0]!.action, 'conflict');
  assert.ok(plan[0]!.action === 'conflict' && /^both\.sync-conflict-\d{8}-\d{6}-\S+\.txt$/.test(plan[0]!.keptAs) && plan[0]!.winner === PEER);
  assert.deepEqual(plan[1], { action: 'pull', peer: PEER, path: 'both.txt', size: 6, replaces: true });
  // Our newer edit wins: nothing to do here.
  const older = remote(undefined, 'both.txt', { mtimeMs: 10, digest: digest('theirs') });
  assert.deepEqual(planEntry(index, PEER, older), []);
});

test('nothing for what is already here: same version, same bytes, an existing folder, a tombstone of nothing', () => {
  const index = new MemoryIndex(ME);
  const same = index.recordLocalChange(observed('same.txt'), []);
  const dir = index.recordLocalChange(observed('dir', { type: 'dir', size: 0, digest: Buffer.alloc(0) }), []);
  assert.deepEqual(planEntry(index, PEER, { ...same }), []);
  assert.deepEqual(planEntry(index, PEER, remote(same, 'same.txt', { mode: 0o600 })), [], 'a mode change alone');
  assert.deepEqual(planEntry(index, PEER, remote(dir, 'dir', { type: 'dir', size: 0, digest: Buffer.alloc(0), mode: 0o700 })), []);
  assert.deepEqual(planEntry(index, PEER, remote(undefined, 'never-here.txt', { deleted: true })), []);
});
