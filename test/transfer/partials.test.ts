import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { tempDirOf } from '../../src/transfer/chunk-io.js';
import { cleanStalePartials } from '../../src/transfer/partials.js';
import { cleanup, createPeer, makeTempDir } from '../peer/harness.js';

test('start-up cleanup keeps intact partials, forgets broken ones, deletes orphan temp files', async () => {
  const root = await makeTempDir('partials');
  const peer = await createPeer(root, 'p');
  try {
    const tempDir = tempDirOf(peer.stateDir);
    await mkdir(tempDir, { recursive: true });
    const digest = (s: string) => createHash('sha256').update(s).digest();
    const intact = peer.index.startPartial('a.bin', digest('a'), 1000);
    await writeFile(path.join(tempDir, intact.tempName), Buffer.alloc(1000));
    const truncated = peer.index.startPartial('b.bin', digest('b'), 1000);
    await writeFile(path.join(tempDir, truncated.tempName), Buffer.alloc(10));
    peer.index.startPartial('c.bin', digest('c'), 1000); // its temp file never got created
    await writeFile(path.join(tempDir, 'orphan.part'), 'left by a kill');

    const result = await cleanStalePartials(peer.index, peer.stateDir);
    assert.deepEqual(result, { kept: 1, dropped: 2, removedFiles: 2 });
    assert.deepEqual(peer.index.partials().map((p) => p.path), ['a.bin']);
    assert.deepEqual(await readdir(tempDir), [intact.tempName]);
  } finally {
    await cleanup(root, [peer]);
  }
});
