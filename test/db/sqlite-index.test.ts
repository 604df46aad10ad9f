import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import Database from 'better-sqlite3';
import { INDEX_FILE, openIndex } from '../../src/db/sqlite-index.js';
import type { IndexEntry, ObservedEntry, StoredChunk, SyncIndex } from '../../src/model/entries.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-index-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

function sha(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function file(p: string, content = p, extra: Partial<ObservedEntry> = {}): ObservedEntry {
  return {
    path: p,
    type: 'file',
    size: content.length,
    mtimeMs: 1_700_000_000_000,
    mode: 0o644,
    digest: sha(content),
    symlinkTarget: '',
    inode: 42,
    ...extra,
  };
}

function chunksFor(name: string, count: number, length = 100): StoredChunk[] {
  return Array.from({ length: count }, (_, i) => ({ offset: i * length, length, hash: sha(`${name}#${i}`) }));
}

describe('SQLite index', () => {
  let stateDir: string;
  let index: SyncIndex;

  beforeEach(async () => {
    stateDir = await freshDir();
    index = openIndex(stateDir, 'peerA');
  });

  it('has an index id and our peer id; starts empty', () => {
    assert.match(index.indexId, /^[0-9a-f]{32}$/);
    assert.equal(index.peerId, 'peerA');
    assert.equal(index.maxSequence(), 0);
    assert.deepEqual(index.all(), []);
    assert.equal(index.get('nope'), undefined);
    index.close();
  });

  it('recordLocalChange stores the entry, bumps only our counter, assigns increasing sequences', () => {
    const first = index.recordLocalChange(file('a.txt'), chunksFor('a', 2));
    assert.deepEqual(first.version, { peerA: 1 });
    assert.equal(first.modifiedBy, 'peerA');
    assert.equal(first.deleted, false);
    assert.equal(first.sequence, 1);
    index.recordApplied({ ...file('a.txt', 'remote'), version: { peerA: 1, peerB: 3 }, deleted: false, modifiedBy: 'peerB' }, []);
    const second = index.recordLocalChange(file('a.txt', 'edited'), chunksFor('a2', 1));
    assert.deepEqual(second.version, { peerA: 2, peerB: 3 });
    assert.equal(second.modifiedBy, 'peerA');
    assert.ok(second.sequence > first.sequence);
    const stored = index.get('a.txt')!;
    assert.deepEqual(stored, second);
    assert.deepEqual(stored.digest, sha('edited'));
    assert.deepEqual(index.chunksOf('a.txt'), chunksFor('a2', 1));
    index.close();
  });

  it('sequence strictly increases across paths and kinds of change; since() is ascending', () => {
    const seqs: number[] = [];
    seqs.push(index.recordLocalChange(file('x'), []).sequence);
    seqs.push(index.recordLocalChange(file('y'), []).sequence);
    seqs.push(index.recordLocalChange(file('x', 'x2'), []).sequence);
    seqs.push(index.recordLocalDeletion('y')!.sequence);
    seqs.push(index.recordMergedVersion('x', { peerA: 2, peerC: 1 })!.sequence);
    seqs.push(index.recordApplied({ ...file('z'), version: { peerB: 1 }, deleted: false, modifiedBy: 'peerB' }, []).sequence);
    for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `sequence ${seqs[i]} after ${seqs[i - 1]}`);
    assert.equal(index.maxSequence(), seqs.at(-1));
    const since = index.since(0);
    assert.deepEqual(since.map((e) => e.path), ['y', 'x', 'z']);
    const ascending = since.map((e) => e.sequence);
    assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b));
    assert.deepEqual(index.since(seqs[3]!).map((e) => e.path), ['x', 'z']);
    assert.deepEqual(index.since(0, 1).map((e) => e.path), ['y']);
    assert.deepEqual(index.since(index.maxSequence()), []);
    index.close();
  });

  it('recordLocalDeletion leaves a tombstone with a bumped version and no chunks', () => {
    index.recordLocalChange(file('gone.txt'), chunksFor('gone', 3));
    const tomb = index.recordLocalDeletion('gone.txt')!;
    assert.equal(tomb.deleted, true);
    assert.deepEqual(tomb.version, { peerA: 2 });
    assert.equal(tomb.size, 0);
    assert.deepEqual(tomb.digest, Buffer.alloc(0));
    assert.deepEqual(index.chunksOf('gone.txt'), []);
    assert.equal(index.findChunk(sha('gone#0')), undefined);
    assert.deepEqual(index.all().map((e) => [e.path, e.deleted]), [['gone.txt', true]]);
    assert.equal(index.recordLocalDeletion('gone.txt'), undefined, 'deleting a tombstone again changes nothing');
    assert.equal(index.recordLocalDeletion('never-was'), undefined);
    const back = index.recordLocalChange(file('gone.txt', 'back'), []);
    assert.deepEqual(back.version, { peerA: 3 });
    assert.equal(back.deleted, false);
    index.close();
  });

  it('recordApplied stores the remote version as is; a remote tombstone drops chunks', () => {
    const remote: Omit<IndexEntry, 'sequence'> = {
      ...file('r.bin', 'remote content', { inode: 777, mtimeMs: 1_600_000_000_000 }),
      version: { peerB: 5, peerC: 2 },
      deleted: false,
      modifiedBy: 'peerB',
    };
    const applied = index.recordApplied(remote, chunksFor('r', 4));
    assert.deepEqual(applied.version, { peerB: 5, peerC: 2 });
    assert.equal(applied.modifiedBy, 'peerB');
    assert.equal(applied.inode, 777);
    assert.equal(applied.sequence, 1);
    assert.equal(index.chunksOf('r.bin').length, 4);
    const tomb = index.recordApplied({ ...remote, deleted: true, size: 0, digest: Buffer.alloc(0), version: { peerB: 6, peerC: 2 } }, chunksFor('r', 4));
    assert.equal(tomb.deleted, true);
    assert.deepEqual(index.chunksOf('r.bin'), []);
    index.close();
  });

  it('recordApplied over the entry it decided on stores the remote vector; over a newer change, the union', () => {
    // We lost a conflict: our edit {peerA:1, peerB:1} goes to a copy; the winner is {peerB:2}.
    index.recordApplied({ ...file('c.txt', 'old'), version: { peerB: 1 }, deleted: false, modifiedBy: 'peerB' }, []);
    const lost = index.recordLocalChange(file('c.txt', 'ours'), []);
    const winner = { ...file('c.txt', 'theirs'), version: { peerB: 2 }, deleted: false, modifiedBy: 'peerB' };
    assert.deepEqual(index.recordApplied(winner, [], lost.version).version, { peerB: 2 });
    // A local change recorded after the decision keeps its counter: 2, since our
    // lost edit already had 1.
    const decided = index.get('c.txt')!.version;
    index.recordLocalChange(file('c.txt', 'edited meanwhile'), []);
    assert.deepEqual(index.recordApplied({ ...winner, version: { peerB: 3 } }, [], decided).version, { peerA: 2, peerB: 3 });
    index.close();
  });

  it('a local change never reissues a counter of ours that a peer announced for the path', () => {
    // After a lost conflict our own counter went back to the winner's (none), but peerB
    // holds a tombstone that merged our earlier counter 2.
    index.recordApplied({ ...file('d.txt'), version: { peerB: 3 }, deleted: false, modifiedBy: 'peerB' }, []);
    index.storeRemoteEntries('peerB', 'idB', [{ ...file('d.txt'), version: { peerA: 2, peerB: 4 }, deleted: true, sequence: 7, modifiedBy: 'peerB' }]);
    assert.deepEqual(index.recordLocalChange(file('d.txt', 'new edit'), []).version, { peerA: 3, peerB: 3 });
    assert.deepEqual(index.recordLocalDeletion('d.txt')!.version, { peerA: 4, peerB: 3 });
    assert.deepEqual(index.recordLocalChange(file('other.txt'), []).version, { peerA: 1 }, 'other paths count from their own');
    index.close();
  });

  it('recordMergedVersion adopts a version without changing content', () => {
    const local = index.recordLocalChange(file('m'), chunksFor('m', 1));
    const merged = index.recordMergedVersion('m', { peerA: 1, peerB: 1 })!;
    assert.deepEqual(merged.version, { peerA: 1, peerB: 1 });
    assert.deepEqual(merged.digest, local.digest);
    assert.ok(merged.sequence > local.sequence);
    assert.equal(index.chunksOf('m').length, 1);
    assert.equal(index.recordMergedVersion('missing', { peerA: 1 }), undefined);
    index.close();
  });

  it('recordInode changes only the inode, without a new sequence', () => {
    const entry = index.recordLocalChange(file('i'), []);
    index.recordInode('i', 9999);
    const after = index.get('i')!;
    assert.equal(after.inode, 9999);
    assert.equal(after.sequence, entry.sequence);
    assert.equal(index.maxSequence(), entry.sequence);
    index.close();
  });

  it('batch() commits its calls together, or none of them when it throws', () => {
    const results = index.batch(() => [index.recordLocalChange(file('b1'), []), index.recordLocalChange(file('b2'), chunksFor('b2', 2))]);
    assert.deepEqual(results.map((e) => e.sequence), [1, 2]);
    assert.throws(() =>
      index.batch(() => {
        index.recordLocalChange(file('b3'), []);
        index.recordLocalDeletion('b1');
        throw new Error('abort');
      }),
      /abort/,
    );
    assert.equal(index.get('b3'), undefined);
    assert.equal(index.get('b1')!.deleted, false);
    assert.equal(index.maxSequence(), 2);
    assert.equal(index.recordLocalChange(file('b4'), []).sequence, 3);
    index.close();
  });

  it('listUnder returns exactly the entries below a directory', () => {
    for (const p of ['a', 'a/b', 'a/b/c', 'a/z', 'a.txt', 'a0', 'ab/c', 'b']) index.recordLocalChange(file(p), []);
    assert.deepEqual(index.listUnder('a').map((e) => e.path), ['a/b', 'a/b/c', 'a/z']);
    assert.deepEqual(index.listUnder('a/b').map((e) => e.path), ['a/b/c']);
    assert.deepEqual(index.listUnder('b'), []);
    index.close();
  });

  it('all() is in path order; unicode paths round-trip', () => {
    for (const p of ['zeta', 'Äpfel/ü.txt', 'alpha', '日本/語']) index.recordLocalChange(file(p), []);
    assert.deepEqual(index.all().map((e) => e.path), ['alpha', 'zeta', 'Äpfel/ü.txt', '日本/語']);
    index.close();
  });

  it('findChunk finds chunks in files and in partial downloads', () => {
    index.recordLocalChange(file('f'), chunksFor('f', 3));
    assert.deepEqual(index.findChunk(sha('f#2')), { kind: 'file', path: 'f', offset: 200, length: 100 });
    const partial = index.startPartial('p.bin', sha('p whole'), 1000);
    index.markChunkVerified(partial.tempName, { offset: 500, length: 50, hash: sha('only in partial') });
    assert.deepEqual(index.findChunk(sha('only in partial')), { kind: 'partial', path: partial.tempName, offset: 500, length: 50 });
    assert.equal(index.findChunk(sha('nowhere')), undefined);
    // A replaced chunk list forgets the old chunks.
    index.recordLocalChange(file('f', 'new'), chunksFor('g', 1));
    assert.equal(index.findChunk(sha('f#2')), undefined);
    index.close();
  });

  it('partial downloads: start is idempotent, verified offsets accumulate, drop forgets chunks', () => {
    const digest = sha('v1');
    const started = index.startPartial('big.bin', digest, 4096);
    assert.match(started.tempName, /^[0-9a-f]+\.part$/);
    assert.equal(started.verifiedOffsets.size, 0);
    assert.equal(index.startPartial('big.bin', digest, 4096).tempName, started.tempName);
    index.markChunkVerified(started.tempName, { offset: 0, length: 1024, hash: sha('c0') });
    index.markChunkVerified(started.tempName, { offset: 2048, length: 1024, hash: sha('c2') });
    index.markChunkVerified(started.tempName, { offset: 2048, length: 1024, hash: sha('c2') });
    const found = index.partial('big.bin', digest)!;
    assert.deepEqual([...found.verifiedOffsets].sort((a, b) => a - b), [0, 2048]);
    assert.equal(found.size, 4096);
    assert.equal(index.partial('big.bin', sha('other version')), undefined);
    const other = index.startPartial('big.bin', sha('v2'), 10);
    assert.notEqual(other.tempName, started.tempName);
    assert.equal(index.partials().length, 2);
    index.dropPartial(started.tempName);
    assert.equal(index.partial('big.bin', digest), undefined);
    assert.equal(index.findChunk(sha('c0')), undefined);
    assert.deepEqual(index.partials().map((p) => p.tempName), [other.tempName]);
    assert.throws(
      () => index.markChunkVerified('no-such.part', { offset: 0, length: 1, hash: sha('x') }),
      (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.INDEX,
    );
    index.close();
  });

  it('remote entries: stored per peer, latest per path, progress advances; reset forgets', () => {
    assert.deepEqual(index.remoteProgress('peerB'), { indexId: '', sequence: 0 });
    const remote = (p: string, sequence: number, content = p): IndexEntry => ({
      ...file(p, content),
      version: { peerB: sequence },
      deleted: false,
      sequence,
      modifiedBy: 'peerB',
    });
    index.storeRemoteEntries('peerB', 'idB', [remote('a', 1), remote('b', 2)]);
    index.storeRemoteEntries('peerB', 'idB', [remote('a', 5, 'a v2')]);
    index.storeRemoteEntries('peerC', 'idC', [remote('a', 9, 'from C')]);
    assert.deepEqual(index.remoteProgress('peerB'), { indexId: 'idB', sequence: 5 });
    assert.deepEqual(index.remoteEntry('peerB', 'a')!.digest, sha('a v2'));
    assert.equal(index.remoteEntry('peerB', 'a')!.sequence, 5);
    assert.deepEqual(index.remoteEntries('peerB').map((e) => e.path), ['a', 'b']);
    assert.deepEqual(index.remoteEntry('peerC', 'a')!.digest, sha('from C'));
    assert.deepEqual(index.remoteShape('peerB', 'a'), { type: 'file', size: 'a v2'.length, deleted: false });
    assert.equal(index.remoteShape('peerB', 'missing'), undefined);
    assert.equal(index.remoteShape('peerD', 'a'), undefined);
    // An empty batch keeps the progress; an older batch does not move it back.
    index.storeRemoteEntries('peerB', 'idB', []);
    index.storeRemoteEntries('peerB', 'idB', [remote('c', 3)]);
    assert.deepEqual(index.remoteProgress('peerB'), { indexId: 'idB', sequence: 5 });
    index.resetRemote('peerB', 'idB2');
    assert.deepEqual(index.remoteProgress('peerB'), { indexId: 'idB2', sequence: 0 });
    assert.deepEqual(index.remoteEntries('peerB'), []);
    assert.equal(index.remoteEntries('peerC').length, 1);
    index.close();
  });

  it('pages of entries and remote entries in path order, remote counts and one path\'s partials', () => {
    for (const p of ['b', 'a/x', 'c', 'a']) index.recordLocalChange(file(p), []);
    assert.deepEqual(index.entriesAfter('', 2).map((e) => e.path), ['a', 'a/x']);
    assert.deepEqual(index.entriesAfter('a/x', 2).map((e) => e.path), ['b', 'c']);
    assert.deepEqual(index.entriesAfter('c', 2), []);
    index.recordLocalDeletion('b');
    assert.deepEqual(index.livePathsAfter('', 10), [{ path: 'a', type: 'file' }, { path: 'a/x', type: 'file' }, { path: 'c', type: 'file' }]);
    assert.deepEqual(index.livePathsAfter('a', 1), [{ path: 'a/x', type: 'file' }]);
    const x = index.seenOf('a/x')!;
    assert.deepEqual(index.pathsInRange('a/', 'a0', 10), [{ path: 'a/x', ...x }], 'each with what seenOf tells of it');
    assert.equal(x.type, 'file');
    assert.equal(x.deleted, false);
    assert.deepEqual(index.pathsInRange('b', null, 10).map((e) => [e.path, e.deleted]), [['b', true], ['c', false]]);
    assert.deepEqual(index.pathsInRange('', null, 1).map((e) => e.path), ['a']);
    const full = index.get('c')!;
    assert.deepEqual(index.seenOf('c'), { type: 'file', size: full.size, mtimeMs: full.mtimeMs, inode: full.inode, mode: full.mode, deleted: false });
    assert.equal(index.seenOf('b')!.deleted, true);
    assert.equal(index.seenOf('nothing'), undefined);
    assert.deepEqual(index.versionOf('c'), full.version, 'versionOf: the version alone');
    assert.deepEqual(index.versionOf('b'), index.get('b')!.version, 'a tombstone has its version too');
    assert.equal(index.versionOf('nothing'), undefined);
    const remote = (p: string, sequence: number): IndexEntry => ({ ...file(p), version: { peerB: sequence }, deleted: false, sequence, modifiedBy: 'peerB' });
    index.storeRemoteEntries('peerB', 'idB', [remote('z', 1), remote('m', 2), remote('d', 3)]);
    index.storeRemoteEntries('peerC', 'idC', [remote('e', 1)]);
    assert.deepEqual(index.remoteEntriesAfter('peerB', '', 2).map((e) => e.path), ['d', 'm']);
    assert.deepEqual(index.remoteEntriesAfter('peerB', 'm', 2).map((e) => e.path), ['z']);
    assert.equal(index.remoteCount('peerB'), 3);
    assert.equal(index.remoteCount('nobody'), 0);
    const one = index.startPartial('f', sha('v1'), 10);
    const two = index.startPartial('f', sha('v2'), 10);
    index.startPartial('g', sha('v1'), 10);
    assert.deepEqual(index.partialsOf('f').map((p) => p.tempName).sort(), [one.tempName, two.tempName].sort());
    assert.deepEqual(index.partialsOf('nothing'), []);
    index.close();
  });

  it('stores a chunk list of 8,000+ chunks in one call', () => {
    const many = chunksFor('big', 8200, 65536);
    index.recordLocalChange(file('huge.iso', 'x', { size: 8200 * 65536 }), many);
    const back = index.chunksOf('huge.iso');
    assert.equal(back.length, 8200);
    assert.deepEqual(back[8199], many[8199]);
    assert.deepEqual(index.findChunk(sha('big#4000')), { kind: 'file', path: 'huge.iso', offset: 4000 * 65536, length: 65536 });
    index.close();
  });

  it('after a lost conflict: what our version stood for is kept, our next change and an applied deletion include it', () => {
    index.recordLocalChange(file('c.txt', 'ours'), []);
    index.recordLocalChange(file('c.txt', 'ours, edited'), []);
    const winner = index.recordApplied({ ...file('c.txt', 'winner'), version: { peerA: 1, peerC: 1 }, deleted: false, modifiedBy: 'peerC' }, [], index.get('c.txt')!.version);
    assert.deepEqual(winner.version, { peerA: 1, peerC: 1 }, "the winner's own vector is announced");
    assert.deepEqual(index.get('c.txt')!.superseded, { peerA: 2, peerC: 1 });
    const deleted = index.recordApplied({ ...file('c.txt', ''), version: { peerA: 1, peerC: 2 }, deleted: true, modifiedBy: 'peerC' }, [], winner.version);
    assert.deepEqual(deleted.version, { peerA: 2, peerC: 2 }, 'the deletion dominates our lost {peerA: 2} wherever a peer still holds it');
    assert.equal(index.get('c.txt')!.superseded, undefined);

    index.recordLocalChange(file('d.txt', 'ours'), []);
    index.recordApplied({ ...file('d.txt', 'winner'), version: { peerC: 1 }, deleted: false, modifiedBy: 'peerC' }, [], { peerA: 1 });
    index.close();
    const reopened = openIndex(stateDir, 'peerA');
    assert.deepEqual(reopened.get('d.txt')!.superseded, { peerA: 1, peerC: 1 }, 'kept across a restart');
    assert.deepEqual(reopened.recordLocalChange(file('d.txt', 'edited'), []).version, { peerA: 2, peerC: 1 }, 'our counter is not issued twice');
    assert.equal(reopened.get('d.txt')!.superseded, undefined);
    reopened.close();
  });

  it('an index written before entries kept what they superseded opens, and keeps it from then on', async () => {
    index.recordLocalChange(file('old.txt'), []);
    index.close();
    const raw = new Database(path.join(stateDir, INDEX_FILE));
    raw.exec('ALTER TABLE entries DROP COLUMN superseded');
    raw.close();
    const reopened = openIndex(stateDir, 'peerA');
    assert.equal(reopened.get('old.txt')!.superseded, undefined);
    reopened.recordApplied({ ...file('old.txt', 'winner'), version: { peerC: 1 }, deleted: false, modifiedBy: 'peerC' }, [], { peerA: 1 });
    assert.deepEqual(reopened.get('old.txt')!.superseded, { peerA: 1, peerC: 1 });
    reopened.close();
  });

  it('the sequence a batch issued is stored with it, and one it rolled back is not', () => {
    index.batch(() => {
      for (let i = 0; i < 5; i++) index.recordLocalChange(file(`s${i}`), []);
    });
    assert.throws(() =>
      index.batch(() => {
        index.recordLocalChange(file('lost'), []);
        throw new Error('abort');
      }),
    );
    index.close();
    const raw = new Database(path.join(stateDir, INDEX_FILE), { readonly: true });
    assert.deepEqual(raw.prepare("SELECT value FROM meta WHERE key = 'sequence'").get(), { value: '5' });
    raw.close();
    const reopened = openIndex(stateDir, 'peerA');
    assert.equal(reopened.maxSequence(), 5);
    assert.equal(reopened.recordLocalChange(file('next'), []).sequence, 6);
    reopened.close();
  });

  it('reopen after close keeps everything, including the index id and sequence', () => {
    index.recordLocalChange(file('keep'), chunksFor('keep', 2));
    index.recordLocalDeletion('keep');
    index.recordLocalChange(file('also'), []);
    const partial = index.startPartial('p', sha('p'), 10);
    index.markChunkVerified(partial.tempName, { offset: 0, length: 10, hash: sha('p0') });
    index.storeRemoteEntries('peerB', 'idB', [{ ...file('r'), version: { peerB: 1 }, deleted: false, sequence: 7, modifiedBy: 'peerB' }]);
    const before = { id: index.indexId, all: index.all(), max: index.maxSequence() };
    index.close();
    const reopened = openIndex(stateDir, 'peerA');
    assert.equal(reopened.indexId, before.id);
    assert.deepEqual(reopened.all(), before.all);
    assert.equal(reopened.maxSequence(), before.max);
    assert.deepEqual(reopened.partial('p', sha('p'))!.verifiedOffsets, new Set([0]));
    assert.deepEqual(reopened.remoteProgress('peerB'), { indexId: 'idB', sequence: 7 });
    assert.ok(reopened.recordLocalChange(file('new'), []).sequence > before.max);
    reopened.close();
  });

  it('a different state folder gets a different index id', async () => {
    const other = openIndex(await freshDir(), 'peerA');
    assert.notEqual(other.indexId, index.indexId);
    other.close();
    index.close();
  });
});
