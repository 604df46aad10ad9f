/**
 * What sessions emit into the node's event bus, over in-memory links: files,
 * folders, symlinks, deletions, transfer progress and conflicts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SyncEvent } from '../../src/status/events.js';
import { baseThenUnlinked, concurrentEdits, converge, link, peersFor, type TestPeer } from '../peer/harness.js';

function record(peer: TestPeer): SyncEvent[] {
  const seen: SyncEvent[] = [];
  peer.events.subscribe((e) => seen.push(e));
  return seen;
}

test('applied changes emit file.synced (with bytes), folder.synced, file.deleted; each pull starts and ends once', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'events', ['peer-a', 'peer-b']);
  const atB = record(b);
  await mkdir(path.join(a.shareDir, 'docs'));
  await writeFile(path.join(a.shareDir, 'docs/big.bin'), randomBytes(3_000_000));
  await writeFile(path.join(a.shareDir, 'small.txt'), 'hello');
  await symlink('small.txt', path.join(a.shareDir, 'link'));
  await a.scan();
  link(a, b);
  await converge(a, b, 'first sync');
  const synced = atB.filter((e) => e.type === 'file.synced');
  const big = synced.find((e) => e.data.path === 'docs/big.bin');
  assert.ok(big && big.type === 'file.synced');
  assert.equal(big.data.peer, 'peer-a');
  assert.equal(big.data.size, 3_000_000);
  // Random bytes do not compress: every byte crossed the wire.
  assert.ok(big.data.bytesReceived >= 3_000_000, `bytesReceived ${big.data.bytesReceived}`);
  assert.deepEqual(synced.map((e) => e.data.path).sort(), ['docs/big.bin', 'link', 'small.txt']);
  assert.equal(synced.find((e) => e.data.path === 'link')!.type === 'file.synced' && (synced.find((e) => e.data.path === 'link')!.data as { kind: string }).kind, 'symlink');
  assert.deepEqual(atB.filter((e) => e.type === 'folder.synced').map((e) => e.data.path), ['docs']);
  for (const file of ['docs/big.bin', 'small.txt']) {
    const kinds = atB.filter((e) => e.type.startsWith('transfer.') && (e.data as { path: string }).path === file).map((e) => e.type);
    assert.equal(kinds[0], 'transfer.started', file);
    assert.equal(kinds.at(-1), 'transfer.ended', file);
    assert.equal(kinds.filter((k) => k === 'transfer.started').length, 1, file);
  }
  const ended = atB.find((e) => e.type === 'transfer.ended' && e.data.path === 'docs/big.bin')!;
  assert.deepEqual(ended.data, { peer: 'peer-a', path: 'docs/big.bin', size: 3_000_000, bytesDone: 3_000_000, ok: true });
  // Ids only grow.
  assert.deepEqual(atB.map((e) => e.id), [...atB.map((e) => e.id)].sort((x, y) => x - y));

  await rm(path.join(a.shareDir, 'small.txt'));
  await a.scan();
  await converge(a, b, 'deletion');
  assert.deepEqual(atB.filter((e) => e.type === 'file.deleted').map((e) => e.data), [{ peer: 'peer-a', path: 'small.txt', kind: 'file' }]);
});

test('concurrent edits emit one conflict event, on the side that kept its copy', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'events-conflict', ['peer-a', 'peer-b']);
  await baseThenUnlinked(a, b, { 'notes.txt': 'base\n' });
  const atA = record(a);
  const atB = record(b);
  await concurrentEdits('notes.txt', [a, 'edited on A\n', 1_700_000_000_000], [b, 'edited on B, later\n', 1_700_000_100_000]);
  link(a, b);
  await converge(a, b, 'after conflict');
  const conflicts = [...atA, ...atB].filter((e) => e.type === 'conflict');
  assert.equal(conflicts.length, 1);
  assert.deepEqual(conflicts[0]!.data, { peer: 'peer-b', path: 'notes.txt', keptAs: 'notes.sync-conflict-20231114-221320-peer-a.txt', winner: 'peer-b' });
  assert.ok(atA.includes(conflicts[0]!));
});
