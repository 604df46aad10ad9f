/**
 * Bad input against a real node: a remote Index entry whose path climbs out of
 * the share ('..') is refused with a clear error and nothing is written outside
 * the share; a symlink pointing out of the share is synced as a link and never
 * followed.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chunkerParams } from '../../src/chunker/params.js';
import { encodeFrameUnchecked } from '../../src/protocol/frame.js';
import { FileType, type FileEntry } from '../../src/protocol/messages.js';
import { cleanupNodes, removeTempDirs, tempDir } from '../helpers/node-process.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { PortRange, SECRET, newShare, newSharePair, startLinkedPair, startSyncNode } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees } from '../helpers/tree.js';

const ports = new PortRange(24400, 24499);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

function fileEntry(entryPath: string, content: string): FileEntry {
  return {
    path: entryPath,
    type: FileType.FILE,
    size: Buffer.byteLength(content),
    mtimeMs: Date.now(),
    mode: 0o644,
    version: [{ peerId: 'intruder', value: 1 }],
    deleted: false,
    digest: createHash('sha256').update(content).digest(),
    sequence: 1,
    symlinkTarget: '',
    modifiedBy: 'intruder',
  };
}

test("a remote Index entry with a '..' path is refused clearly and nothing is written outside the share", async (t) => {
  const dir = newShare();
  const parent = path.dirname(dir);
  const port = ports.take();
  const node = startSyncNode(dir, port, []);
  await node.waitForEvent('node.started');

  const intruder = await RawPeer.connect(port);
  await intruder.authenticate(Buffer.from(SECRET), 'intruder', chunkerParams());
  const from = node.mark();
  // Encoded without validation: our own encoder refuses such a frame.
  const entries = [fileEntry('../escape.txt', 'escaped'), fileEntry('sub/../../escape2.txt', 'escaped')];
  intruder.sendBytes(encodeFrameUnchecked({ index: { indexId: 'intruder-index', entries, last: true } }));

  // The node drops the link with a stable code and says why, to the peer and in its log.
  const refusal = await node.waitForEvent('peer.disconnected', { peer: 'intruder' }, 15_000, from);
  t.diagnostic(`refusal: ${String(refusal.code)}: ${String(refusal.reason)}`);
  assert.equal(refusal.code, 'LS_PROTO_MALFORMED');
  assert.match(String(refusal.reason), /"\.\." segment in path/);
  assert.equal((await intruder.closed).reason, 'LS_PROTO_MALFORMED');

  assert.deepEqual(await readdir(parent), ['share'], 'nothing written next to the share');
  assert.deepEqual(Object.keys(await treeOf(dir)), [], 'nothing written into the share either');
  assert.ok(node.running, 'the node survives bad input');
});

test('a symlink pointing out of the share is synced as a link and never followed', async () => {
  const outside = tempDir('leftsync-outside-');
  await mkdir(path.join(outside, 'private'));
  await writeFile(path.join(outside, 'private', 'secret.txt'), 'outside the share\n');
  const pair = newSharePair(ports);
  const { dirA, dirB } = pair;
  await symlink(path.join(outside, 'private'), path.join(dirA, 'abs-link-to-dir'));
  await symlink('../../' + path.basename(outside) + '/private/secret.txt', path.join(dirA, 'rel-link-out'));
  await symlink('inside.txt', path.join(dirA, 'link-inside'));
  await writeFile(path.join(dirA, 'inside.txt'), 'inside\n');
  const { a, b } = await startLinkedPair(pair);

  const tree = await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 30_000 });
  assert.equal(tree['abs-link-to-dir'], `link:${path.join(outside, 'private')}`);
  assert.equal(tree['rel-link-out'], `link:../../${path.basename(outside)}/private/secret.txt`);
  assert.equal(tree['link-inside'], 'link:inside.txt');
  assert.ok(!Object.keys(tree).some((p) => p.includes('secret.txt') && !p.startsWith('rel-link')), 'the folder behind the link was not walked');
  assert.deepEqual(await readdir(path.join(outside, 'private')), ['secret.txt'], 'nothing written through the link');

  // The link becomes a real folder with a file on A: B replaces its link and writes inside its share, not through the old link.
  await rm(path.join(dirA, 'abs-link-to-dir'));
  await mkdir(path.join(dirA, 'abs-link-to-dir'));
  await writeFile(path.join(dirA, 'abs-link-to-dir', 'through.txt'), 'must stay in the share\n');
  const replaced = await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 30_000 });
  assert.match(replaced['abs-link-to-dir'], /^dir:/);
  assert.deepEqual(await readdir(path.join(outside, 'private')), ['secret.txt'], 'nothing written through the replaced link');
});
