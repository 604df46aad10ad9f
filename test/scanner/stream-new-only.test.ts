/**
 * Streaming sync publishes a file's chunk list while it is hashed, for a new
 * file only: a new version of a file the peers already hold costs its changed
 * tree nodes, while a published list costs ~44 bytes per chunk and made the
 * peers fetch chunks they held (the bench's 500 MiB edit crossed as 72 MiB).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { HashStreams } from '../../src/scanner/scan-types.js';
import { scanFixture } from '../helpers/scan-fixture.js';

test('a new file is streamed while hashed, a new version of an indexed file is not', async () => {
  const begun: string[] = [];
  const streams: HashStreams = {
    begin: (relPath) => {
      begun.push(relPath);
      return undefined;
    },
  };
  const fixture = await scanFixture('leftsync-stream-new-', { streams });
  try {
    const file = path.join(fixture.share, 'big.bin');
    await writeFile(file, Buffer.alloc(4096, 1));
    await fixture.scanner.scanPaths(['big.bin']);
    assert.deepEqual(begun, ['big.bin'], 'the new file is offered for streaming');
    await writeFile(file, Buffer.alloc(8192, 2));
    await fixture.scanner.scanPaths(['big.bin']);
    assert.deepEqual(begun, ['big.bin'], 'its new version is not');
    assert.equal(fixture.index.get('big.bin')?.size, 8192, 'the new version is still recorded');
  } finally {
    await fixture.close();
  }
});
