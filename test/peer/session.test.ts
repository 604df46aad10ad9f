import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, readdir, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { baseThenUnlinked, concurrentEdits, converge, link, peersFor, sameTrees, sessionFor, treeOf, unlink as unlinkPeers, waitFor, type TestPeer } from './harness.js';
import { createMemoryPair } from '../../src/transport/memory.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import type { Session } from '../../src/peer/session-types.js';
import type { FileEntry, Frame } from '../../src/protocol/messages.js';
import { isLeftsyncOwn } from '../helpers/tree.js';
import { conflictName } from '../../src/reconcile/conflict-name.js';

/**
 * `conn` with the index entries `hold` picks kept back from the session until
 * release(), when they arrive as one IndexUpdate (the rest of each frame passes).
 */
function holdingBack(conn: PeerConnection, hold: (entry: FileEntry) => boolean): { conn: PeerConnection; release(): void } {
  let handler: (frame: Frame) => void = () => {};
  let indexId = '';
  const kept: FileEntry[] = [];
  conn.onFrame((frame) => {
    const body = frame.index ?? frame.indexUpdate;
    if (body === undefined) return handler(frame);
    indexId = body.indexId;
    kept.push(...body.entries.filter(hold));
    const entries = body.entries.filter((e) => !hold(e));
    handler(frame.index ? { index: { ...frame.index, entries } } : { indexUpdate: { ...body, entries } });
  });
  const wrapped: PeerConnection = {
    get peerId() { return conn.peerId; },
    get remoteAddress() { return conn.remoteAddress; },
    get closed() { return conn.closed; },
    get health() { return conn.health; },
    send: (frame) => conn.send(frame),
    pauseReading: () => conn.pauseReading(),
    resumeReading: () => conn.resumeReading(),
    onFrame: (h) => void (handler = h),
    onClose: (h) => conn.onClose(h),
    close: (reason) => conn.close(reason),
  };
  return { conn: wrapped, release: () => handler({ indexUpdate: { indexId, entries: kept.splice(0) } }) };
}

/** A session of `peer` linked to a bare end, `theirs`, that the test speaks for as the peer 'raw'. */
function rawLink(peer: TestPeer): { session: Session; theirs: PeerConnection } {
  const [mine, theirs] = createMemoryPair(peer.id, 'raw');
  return { session: sessionFor(peer, mine), theirs };
}

for (const kind of ['sqlite', 'memory'] as const) {
  test(`two sessions sync a small tree both ways (${kind} index)`, async (t) => {
    const { peers: [a, b] } = await peersFor(t, 'session', ['peer-a', 'peer-b'], kind);
    // Before linking: A has a tree, B has one file of its own.
    await mkdir(path.join(a.shareDir, 'docs/nested'), { recursive: true });
    await mkdir(path.join(a.shareDir, 'empty'));
    await writeFile(path.join(a.shareDir, 'docs/readme.txt'), 'hello\n');
    await writeFile(path.join(a.shareDir, 'docs/nested/data.bin'), randomBytes(300_000));
    await writeFile(path.join(a.shareDir, 'empty-file'), '');
    await writeFile(path.join(a.shareDir, 'ünïcødé 日本.txt'), 'unicode name');
    await chmod(path.join(a.shareDir, 'docs/readme.txt'), 0o600);
    await symlink('docs/readme.txt', path.join(a.shareDir, 'link-to-readme'));
    await writeFile(path.join(b.shareDir, 'from-b.txt'), 'b was here');
    await a.scan();
    await b.scan();
    link(a, b);
    await converge(a, b, 'initial exchange');
    const tree = await treeOf(b.shareDir);
    assert.equal(tree['docs/readme.txt']?.endsWith(':600'), true, 'mode is synced');
    assert.equal(tree['link-to-readme'], 'link:docs/readme.txt');
    assert.ok(tree['empty']?.startsWith('dir:'), 'empty folder synced');
    assert.ok(tree['from-b.txt'], 'B file reached A');

    // Modify on A, delete on B, both propagate.
    await writeFile(path.join(a.shareDir, 'docs/readme.txt'), 'hello, changed\n');
    await a.scan();
    await rm(path.join(b.shareDir, 'docs/nested'), { recursive: true });
    await b.scan();
    await converge(a, b, 'modify and delete');
    assert.equal(await readFile(path.join(b.shareDir, 'docs/readme.txt'), 'utf8'), 'hello, changed\n');
    assert.equal((await readdir(path.join(a.shareDir, 'docs'))).includes('nested'), false, 'deletion reached A');

    // mtime travels with the file.
    const mtime = new Date(Date.UTC(2020, 1, 3, 4, 5, 6));
    await utimes(path.join(a.shareDir, 'empty-file'), mtime, mtime);
    await writeFile(path.join(a.shareDir, 'stamped.txt'), 'stamped');
    await utimes(path.join(a.shareDir, 'stamped.txt'), mtime, mtime);
    await a.scan();
    await converge(a, b, 'mtime');
    const { mtimeMs } = await import('node:fs').then((fs) => fs.statSync(path.join(b.shareDir, 'stamped.txt')));
    assert.equal(Math.round(mtimeMs), mtime.getTime());
  });
}

test('concurrent edits while disconnected keep both versions under a conflict name', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'conflict', ['peer-a', 'peer-b']);
  await baseThenUnlinked(a, b, { 'notes.txt': 'base\n' });

  await concurrentEdits('notes.txt', [a, 'edited on A\n', 1_700_000_000_000], [b, 'edited on B, later\n', 1_700_000_100_000]);
  link(a, b);
  await converge(a, b, 'after conflict');

  const names = (await readdir(a.shareDir)).filter((n) => !isLeftsyncOwn(n)).sort();
  assert.equal(names.length, 2, `both versions kept: ${names}`);
  // B's edit is newer: it keeps the name; A's loses and is named after A's mtime and A.
  assert.equal(await readFile(path.join(a.shareDir, 'notes.txt'), 'utf8'), 'edited on B, later\n');
  assert.deepEqual(names, ['notes.sync-conflict-20231114-221320-peer-a.txt', 'notes.txt']);
  assert.equal(await readFile(path.join(b.shareDir, names[0]!), 'utf8'), 'edited on A\n');
});

test('a deletion made while a peer was offline reaches it and is not undone', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'tombstone', ['peer-a', 'peer-b']);
  await baseThenUnlinked(a, b, { 'doomed.txt': 'bye', 'kept.txt': 'stay' });
  await unlink(path.join(a.shareDir, 'doomed.txt'));
  await a.scan();
  link(a, b); // incremental: B asks only for what it has not seen
  await converge(a, b, 'tombstone delivered');
  assert.deepEqual(Object.keys(await treeOf(b.shareDir)), ['kept.txt']);
  // B reconnecting again does not bring the file back.
  unlinkPeers(a, b);
  await b.scan();
  link(a, b);
  await converge(a, b, 'second reconnect');
  assert.deepEqual(Object.keys(await treeOf(a.shareDir)), ['kept.txt']);
});

test('three peers in a line: a file from A reaches C through B', async (t) => {
  const { peers: [a, b, c] } = await peersFor(t, 'line', ['peer-a', 'peer-b', 'peer-c']);
  link(a, b);
  link(b, c);
  await writeFile(path.join(a.shareDir, 'travels.bin'), randomBytes(100_000));
  await a.scan();
  await waitFor('file at C', async () => (await sameTrees(a, c)) && Object.keys(await treeOf(c.shareDir)).length === 1);
  assert.deepEqual(await treeOf(c.shareDir), await treeOf(a.shareDir));
});

test('unexpected frames are answered with PROTO_UNEXPECTED and do not stop the session', async (t) => {
  const { peers: [a] } = await peersFor(t, 'unexpected', ['peer-a']);
  const { theirs } = rawLink(a);
  const received: Array<Record<string, unknown>> = [];
  theirs.onFrame((f) => received.push(f as Record<string, unknown>));
  await theirs.send({ hello: { protocolVersion: 1, peerId: 'raw', capabilities: [], clientVersion: 'x', instanceId: '' } as never });
  await theirs.send({ indexRequest: { indexId: '', since: 0 } });
  await waitFor('answers', () => received.some((f) => 'error' in f) && received.some((f) => 'index' in f));
  const error = received.find((f) => 'error' in f)!.error as { code: string };
  assert.equal(error.code, 'LS_PROTO_UNEXPECTED');
  assert.equal(theirs.closed, false);
});

test('remote entries for unsafe, ignored or state-folder paths are never applied', async (t) => {
  const { root, peers: [a] } = await peersFor(t, 'unsafe', ['peer-a']);
  const { toFileEntry } = await import('../../src/protocol/entries.js');
  const { session, theirs } = rawLink(a);
  const dir = (p: string) =>
    toFileEntry({
      path: p, type: 'dir', size: 0, mtimeMs: 0, mode: 0o755, digest: Buffer.alloc(0), symlinkTarget: '',
      inode: 0, version: { raw: 1 }, deleted: false, sequence: 1, modifiedBy: 'raw',
    });
  const entries = ['.leftsync/evil', '../escape', 'a/../../b', 'x.tmp', 'fine'].map(dir);
  await theirs.send({ index: { indexId: 'raw-index', entries, last: true } });
  await waitFor('legit dir applied', async () => Object.keys(await treeOf(a.shareDir)).includes('fine'));
  await session.whenIdle();
  session.close();
  assert.deepEqual(Object.keys(await treeOf(a.shareDir)), ['fine']);
  const { readdir: list } = await import('node:fs/promises');
  assert.equal((await list(a.stateDir)).includes('evil'), false);
  assert.equal((await list(root)).includes('escape'), false);
});

test('a large index goes out in frames under the size limit, last=true only on the final one', async (t) => {
  const { peers: [a] } = await peersFor(t, 'batches', ['peer-a']);
  const { encodeFrame } = await import('../../src/protocol/frame.js');
  const { MAX_FRAME_BYTES } = await import('../../src/protocol/limits.js');
  const segment = (i: number) => `${String(i).padStart(4, '0')}-${'x'.repeat(240)}`;
  const deep = Array.from({ length: 12 }, (_, i) => segment(i)).join('/');
  for (let i = 0; i < 700; i++) {
    a.index.recordLocalChange(
      { path: `${deep}/${segment(i)}`, type: 'dir', size: 0, mtimeMs: 0, mode: 0o755, digest: Buffer.alloc(0), symlinkTarget: '', inode: 0 },
      [],
    );
  }
  const { theirs } = rawLink(a);
  const frames: Array<{ count: number; last: boolean; bytes: number }> = [];
  theirs.onFrame((f) => {
    if (f.index) frames.push({ count: f.index.entries.length, last: f.index.last, bytes: encodeFrame(f).length });
  });
  await theirs.send({ indexRequest: { indexId: '', since: 0 } });
  await waitFor('whole index', () => frames.some((f) => f.last));
  assert.ok(frames.length >= 2, `split into ${frames.length} frames`);
  assert.equal(frames.reduce((n, f) => n + f.count, 0), 700);
  assert.deepEqual(frames.map((f) => f.last), frames.map((_, i) => i === frames.length - 1));
  for (const f of frames) assert.ok(f.bytes < MAX_FRAME_BYTES, `${f.bytes} bytes`);
});

test('a local edit the scanner has not seen yet is never overwritten: it becomes a conflict', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'unscanned', ['peer-a', 'peer-b']);
  await baseThenUnlinked(a, b, { 'doc.txt': 'v1\n' });
  await writeFile(path.join(a.shareDir, 'doc.txt'), 'A edit\n');
  await a.scan();
  // B's user edits, and B is linked again before its scanner noticed.
  await writeFile(path.join(b.shareDir, 'doc.txt'), 'B edit, unscanned\n');
  link(a, b);
  await converge(a, b, 'after the conflict');
  const contents = [];
  for (const name of (await readdir(a.shareDir)).filter((n) => !isLeftsyncOwn(n))) {
    contents.push(await readFile(path.join(a.shareDir, name), 'utf8'));
  }
  assert.deepEqual(contents.sort(), ['A edit\n', 'B edit, unscanned\n']);
});

test('three peers: a conflict between the ends is resolved once, with one conflict copy everywhere', async (t) => {
  const { peers: [a, b, c] } = await peersFor(t, 'conflict3', ['peer-a', 'peer-b', 'peer-c']);
  await writeFile(path.join(a.shareDir, 'plan.md'), 'base\n');
  await a.scan();
  link(a, b);
  link(b, c);
  await waitFor('base everywhere', async () => (await sameTrees(a, b)) && (await sameTrees(a, c)) && Object.keys(await treeOf(c.shareDir)).length === 1);
  unlinkPeers(a, b);
  unlinkPeers(b, c);
  await concurrentEdits('plan.md', [a, 'A says\n', 1_800_000_000_000], [c, 'C says, later\n', 1_800_000_060_000]);
  link(a, b);
  link(b, c);
  await waitFor('converged', async () => (await sameTrees(a, b)) && (await sameTrees(a, c)) && Object.keys(await treeOf(a.shareDir)).length === 2);
  await Promise.all([a, b, c].flatMap((p) => p.sessions.map((s) => s.whenIdle())));
  const tree = await treeOf(b.shareDir);
  assert.deepEqual(Object.keys(tree).sort(), ['plan.md', 'plan.sync-conflict-20270115-080000-peer-a.md']);
  assert.equal(await readFile(path.join(b.shareDir, 'plan.md'), 'utf8'), 'C says, later\n');
  assert.equal(await readFile(path.join(c.shareDir, 'plan.sync-conflict-20270115-080000-peer-a.md'), 'utf8'), 'A says\n');
  assert.deepEqual(await treeOf(a.shareDir), tree);
  assert.deepEqual(await treeOf(c.shareDir), tree);
});

test('three peers: the loser\'s own peer, getting the middle peer\'s conflict copy with the winner, keeps one copy', async (t) => {
  // The middle peer B resolves the conflict first (it held A's version when C's
  // came), then A meets B: B's Index brings the copy of A's version and C's
  // winner together. The copy is placed first (a small pull of a new path), so
  // when A resolves its own conflict the copy's name is taken, by its own bytes.
  const { peers: [a, b, c] } = await peersFor(t, 'conflict3-staged', ['peer-a', 'peer-b', 'peer-c']);
  await writeFile(path.join(a.shareDir, 'plan.md'), 'base\n');
  await a.scan();
  link(a, b);
  await converge(a, b, 'base at B');
  unlinkPeers(a, b);
  link(b, c);
  await converge(b, c, 'base at C');
  unlinkPeers(b, c);
  await concurrentEdits('plan.md', [a, 'A says\n', 1_800_000_000_000], [c, 'C says, later\n', 1_800_000_060_000]);
  link(a, b);
  await converge(a, b, "A's version at B");
  unlinkPeers(a, b);
  link(b, c);
  await waitFor('conflict resolved at B', async () => (await sameTrees(b, c)) && Object.keys(await treeOf(b.shareDir)).length === 2);
  await Promise.all([...b.sessions, ...c.sessions].map((s) => s.whenIdle()));
  unlinkPeers(b, c);
  const copy = 'plan.sync-conflict-20270115-080000-peer-a.md';
  assert.deepEqual(Object.keys(await treeOf(b.shareDir)).sort(), ['plan.md', copy]);
  // A meets B, and B's entry for plan.md (C's winner) reaches A only once B's
  // copy of A's version is in A's share: the order a busy A sees when the copy's
  // pull beats the rename (live, the copy comes first in B's Index or updates).
  const [ab, ba] = createMemoryPair(a.id, b.id);
  const held = holdingBack(ab, (entry) => entry.path === 'plan.md');
  sessionFor(a, held.conn);
  sessionFor(b, ba);
  await waitFor("B's copy at A", async () => (await treeOf(a.shareDir))[copy] !== undefined);
  await Promise.all(a.sessions.map((s) => s.whenIdle()));
  held.release();
  await converge(a, b, 'A meets the resolved conflict');
  assert.deepEqual(Object.keys(await treeOf(a.shareDir)).sort(), ['plan.md', copy]);
  assert.equal(await readFile(path.join(a.shareDir, 'plan.md'), 'utf8'), 'C says, later\n');
  assert.equal(await readFile(path.join(a.shareDir, copy), 'utf8'), 'A says\n');
  link(b, c);
  await waitFor('C too', () => sameTrees(b, c));
  await Promise.all([a, b, c].flatMap((p) => p.sessions.map((s) => s.whenIdle())));
  assert.deepEqual(await treeOf(c.shareDir), await treeOf(a.shareDir));
});

test('a file with other bytes under the loser\'s conflict name stays: the loser takes the next name', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'conflict-taken', ['peer-a', 'peer-b']);
  await baseThenUnlinked(a, b, { 'notes.txt': 'base\n' });
  const taken = conflictName('notes.txt', 1_700_000_000_000, 'peer-a');
  await writeFile(path.join(a.shareDir, taken), 'something else\n');
  await concurrentEdits('notes.txt', [a, 'edited on A\n', 1_700_000_000_000], [b, 'edited on B, later\n', 1_700_000_100_000]);
  link(a, b);
  await waitFor('converged', async () => (await sameTrees(a, b)) && Object.keys(await treeOf(a.shareDir)).length === 3);
  await converge(a, b, 'after the conflict');
  const contents: Record<string, string> = {};
  for (const name of Object.keys(await treeOf(a.shareDir))) contents[name] = await readFile(path.join(a.shareDir, name), 'utf8');
  assert.deepEqual(contents, {
    'notes.txt': 'edited on B, later\n',
    [taken]: 'something else\n',
    [taken.replace(/\.txt$/, '-1.txt')]: 'edited on A\n',
  });
});

test('more announced paths than the work queue holds: the rest wait in the store and every one arrives', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'bounded', ['peer-a', 'peer-b']);
  for (let d = 0; d < 4; d++) {
    await mkdir(path.join(a.shareDir, `d${d}`));
    for (let f = 0; f < 30; f++) await writeFile(path.join(a.shareDir, `d${d}`, `f${f}`), `file ${d}/${f}`);
  }
  await a.scan();
  const [ab, ba] = createMemoryPair(a.id, b.id);
  sessionFor(a, ab);
  let peak = 0;
  const atB = sessionFor(b, ba, { queueLimit: 7, smallBatch: 3 });
  const sampler = setInterval(() => (peak = Math.max(peak, atB.pending())), 1);
  await waitFor('all of A at B', () => sameTrees(a, b), 30_000);
  clearInterval(sampler);
  await atB.whenIdle();
  assert.deepEqual(await treeOf(b.shareDir), await treeOf(a.shareDir));
  // Waiting paths stay under the limit; a few more are being worked on (4 units of at most 3).
  assert.ok(peak <= 7 + 4 * 3, `at most ${peak} paths pending at once`);
});
