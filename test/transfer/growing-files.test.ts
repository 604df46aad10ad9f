/** The receiver's stream partials: kept for a writer or a pull, dropped when nobody takes them. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { createLogger } from '../../src/log.js';
import { tempDirOf } from '../../src/transfer/chunk-io.js';
import { GrowingFiles, MAX_GROWING, STREAM_DIGEST } from '../../src/transfer/growing-files.js';
import { createPeer, makeTempDir } from '../peer/harness.js';
import { waitUntil } from '../helpers/tree.js';

const log = createLogger('test-growing');
const noWriter = async (): Promise<void> => undefined;

async function peer(name: string) {
  const root = await makeTempDir(name);
  return { root, peer: await createPeer(root, 'dst') };
}

const tempFiles = (stateDir: string) => readdir(tempDirOf(stateDir)).catch(() => [] as string[]);

test('a stream partial nobody writes or adopts is dropped after the idle time, temp file and record', async () => {
  const { root, peer: p } = await peer('growing-idle');
  const growing = new GrowingFiles({ index: p.index, stateDir: p.stateDir, log, idleMs: 50 });
  try {
    const partial = (await growing.claim('big.bin', 1 << 20, noWriter))!;
    await partial.write({ offset: 0, length: 4096, hash: randomBytes(32) }, randomBytes(4096));
    growing.release(partial, noWriter);
    assert.ok(p.index.partial('big.bin', STREAM_DIGEST));
    await waitUntil('the idle partial is dropped', async () => p.index.partial('big.bin', STREAM_DIGEST) === undefined && (await tempFiles(p.stateDir)).length === 0, 5_000);
  } finally {
    await growing.close();
    await rm(root, { recursive: true, force: true });
  }
});

test('after a restart, an earlier stream partial is offered to the next writer with its recorded offsets, then idles out', async () => {
  const { root, peer: p } = await peer('growing-restart');
  const first = new GrowingFiles({ index: p.index, stateDir: p.stateDir, log });
  const chunk = { offset: 0, length: 4096, hash: randomBytes(32) };
  const partial = (await first.claim('big.bin', 1 << 20, noWriter))!;
  await partial.write(chunk, randomBytes(4096));
  await first.close();

  const second = new GrowingFiles({ index: p.index, stateDir: p.stateDir, log, idleMs: 100 });
  try {
    second.start();
    const resumed = (await second.claim('big.bin', 1 << 20, noWriter))!;
    assert.deepEqual([...resumed.earlier], [0], 'the chunk the earlier process recorded is offered for reading back');
    assert.equal(await resumed.readBack(chunk), false, 'read back against its hash (these random bytes do not match it)');
    second.release(resumed, noWriter);
    await waitUntil('dropped once idle', () => p.index.partial('big.bin', STREAM_DIGEST) === undefined, 5_000);
  } finally {
    await second.close();
    await rm(root, { recursive: true, force: true });
  }
});

test(`at most ${MAX_GROWING} stream partials: a new one evicts one without a writer, none when all are written`, async () => {
  const { root, peer: p } = await peer('growing-bound');
  const growing = new GrowingFiles({ index: p.index, stateDir: p.stateDir, log });
  try {
    const held = [];
    for (let i = 0; i < MAX_GROWING; i++) held.push((await growing.claim(`f${i}`, 1 << 20, noWriter))!);
    assert.equal(await growing.claim('one-more', 1 << 20, noWriter), undefined, 'every partial has its writer');
    growing.release(held[0]!, noWriter);
    assert.ok(await growing.claim('one-more', 1 << 20, noWriter), 'the released one made room');
    assert.equal(p.index.partial('f0', STREAM_DIGEST), undefined);
    assert.equal(p.index.partials().filter((x) => x.digest.equals(STREAM_DIGEST)).length, MAX_GROWING);
  } finally {
    await growing.close();
    await rm(root, { recursive: true, force: true });
  }
});
