import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CHUNK_SIZES, ENGINES, chunkerParams } from '../../src/chunker/params.js';
import { signBuffer } from '../../src/chunker/sign.js';
import { singleChunkOf } from '../../src/transfer/puller.js';
import { cleanup } from '../peer/harness.js';
import { createRig, putFile, setup } from './rig.js';

test('every engine cuts a file shorter than minSize into one chunk whose hash is the file identity', async () => {
  for (const engine of ENGINES) {
    for (const size of [1, 5000, CHUNK_SIZES.minSize - 1]) {
      const data = randomBytes(size);
      const signature = await signBuffer(data, chunkerParams(engine));
      assert.equal(signature.chunks.length, 1, `${engine}, ${size} bytes`);
      assert.deepEqual(singleChunkOf({ size, digest: signature.digest } as Parameters<typeof singleChunkOf>[0]), [
        { offset: 0, length: size, hash: signature.chunks[0]!.hash },
      ]);
    }
  }
  assert.equal(singleChunkOf({ size: CHUNK_SIZES.minSize, digest: Buffer.alloc(32) } as Parameters<typeof singleChunkOf>[0]), null);
});

test('a small file is pulled with one chunk request and no tree round trip', async () => {
  const { root, src, dst } = await setup('small-one');
  try {
    const data = randomBytes(5000);
    const entry = await putFile(src, 's.bin', data);
    const rig = createRig(src, dst);
    const result = await rig.apply(entry);
    assert.equal(result, 'applied');
    assert.equal(rig.treeRequests, 0);
    assert.deepEqual(rig.requestedOffsets, [0]);
    assert.ok((await readFile(path.join(dst.shareDir, 's.bin'))).equals(data));
    assert.deepEqual(dst.index.chunksOf('s.bin'), src.index.chunksOf('s.bin'), 'the chunk recorded is the one the source indexed');
    assert.equal(dst.index.partials().length, 0);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('an empty file is placed without any request', async () => {
  const { root, src, dst } = await setup('small-empty');
  try {
    const entry = await putFile(src, 'empty', Buffer.alloc(0));
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(entry), 'applied');
    assert.equal(rig.treeRequests + rig.requestedOffsets.length, 0);
    assert.equal((await stat(path.join(dst.shareDir, 'empty'))).size, 0);
    assert.equal(dst.index.get('empty')!.size, 0);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a small file whose version is gone at the source: its one chunk request says gone, no tree is asked', async () => {
  const { root, src, dst } = await setup('small-gone');
  try {
    const old = await putFile(src, 'g.bin', randomBytes(3000));
    // Another size: a rewrite within the same millisecond would otherwise look unchanged to the scanner.
    await putFile(src, 'g.bin', randomBytes(3001));
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(old), 'waiting');
    assert.equal(rig.treeRequests, 0, 'a small file has no tree');
    assert.deepEqual(rig.requestedOffsets, [0]);
    await assert.rejects(stat(path.join(dst.shareDir, 'g.bin')));
    assert.equal(dst.index.get('g.bin'), undefined);
  } finally {
    await cleanup(root, [src, dst]);
  }
});
