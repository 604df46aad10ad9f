import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import type { Frame } from '../../src/protocol/messages.js';
import { tempDirOf } from '../../src/transfer/chunk-io.js';
import { cleanup, type TestPeer } from '../peer/harness.js';
import { createRig, putFile, setup } from './rig.js';

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest();

test('pull fetches every chunk, many per request, with a window in flight and places a verified file', async () => {
  const { root, src, dst } = await setup('pull');
  try {
    const data = randomBytes(3 * 1024 * 1024);
    const entry = await putFile(src, 'big.bin', data);
    const rig = createRig(src, dst);
    const result = await rig.apply(entry);
    assert.equal(result, 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'big.bin'))).equals(data));
    const chunks = src.index.chunksOf('big.bin').length;
    assert.equal(rig.requestedOffsets.length, chunks, 'each chunk requested once');
    // 512 KiB per request (the default): a 3 MiB file is six to eight requests (a request ends where the next chunk would overflow it).
    assert.ok(rig.chunkRequests >= 6 && rig.chunkRequests <= 8, `chunk requests: ${rig.chunkRequests}`);
    assert.equal(rig.maxInFlight, chunks, 'the whole file is within the window');
    const stats = rig.pullerStats.snapshot();
    assert.equal(stats.received.rawBytes, data.length);
    assert.equal(stats.received.chunks, chunks);
    assert.equal(stats.files['big.bin']?.received.chunks, chunks);
    assert.equal(rig.supplierStats.snapshot().sent.rawBytes, data.length);
    const applied = dst.index.get('big.bin')!;
    assert.deepEqual(applied.version, entry.version);
    assert.equal(dst.index.partials().length, 0, 'partial download cleared');
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('an edited file costs only its changed chunks: the rest is reused locally', async () => {
  const { root, src, dst } = await setup('delta');
  try {
    const data = randomBytes(2 * 1024 * 1024);
    const v1 = await putFile(src, 'f.bin', data);
    assert.equal(await createRig(src, dst).apply(v1), 'applied');
    const edited = Buffer.from(data);
    edited.write('NINEBYTES', 1_000_000);
    const v2 = await putFile(src, 'f.bin', edited);
    const local = dst.index.get('f.bin')!;
    const rig = createRig(src, dst);
    const result = await rig.apply(v2);
    assert.equal(result, 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'f.bin'))).equals(edited));
    const stats = rig.pullerStats.snapshot();
    assert.ok(stats.received.chunks >= 1 && stats.received.chunks <= 3, `fetched ${stats.received.chunks} chunks`);
    assert.ok(stats.chunksReused >= src.index.chunksOf('f.bin').length - 3);
    assert.ok(stats.received.wireBytes < 1024 * 1024);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

/** Pulls a 4 MiB r.bin from src and cuts the link after 10 chunk replies: a partial download is left. */
async function abortedPull(src: TestPeer, dst: TestPeer) {
  const data = randomBytes(4 * 1024 * 1024);
  const entry = await putFile(src, 'r.bin', data);
  let replies = 0;
  const first = createRig(src, dst, {
    windowChunks: 4,
    tamper: (frame) => {
      if (frame.chunkReply && ++replies === 10) setImmediate(() => first.conn.close('test abort'));
      return frame;
    },
  });
  await assert.rejects(first.apply(entry), (err: LeftsyncError) => err.code === ErrorCode.CONNECTION_CLOSED);
  return { data, entry, partial: dst.index.partial('r.bin', entry.digest)! };
}

test('resume after an abort re-fetches nothing already verified', async () => {
  const { root, src, dst } = await setup('resume');
  try {
    const { data, entry, partial } = await abortedPull(src, dst);
    assert.ok(partial.verifiedOffsets.size >= 5, `some chunks verified: ${partial.verifiedOffsets.size}`);
    await assert.rejects(stat(path.join(dst.shareDir, 'r.bin')), 'nothing partial in the share');

    const second = createRig(src, dst);
    const result = await second.apply(entry);
    assert.equal(result, 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'r.bin'))).equals(data));
    for (const offset of second.requestedOffsets) assert.equal(partial.verifiedOffsets.has(offset), false, `re-fetched ${offset}`);
    const total = src.index.chunksOf('r.bin').length;
    assert.equal(second.requestedOffsets.length, total - partial.verifiedOffsets.size);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a resumed chunk whose bytes on disk were lost is verified, found bad and fetched again', async () => {
  const { root, src, dst } = await setup('resume-lost');
  try {
    const { data, entry, partial } = await abortedPull(src, dst);
    const lost = Math.min(...partial.verifiedOffsets);
    // What a machine crash can do: the record survived, the bytes did not.
    await writeFile(path.join(tempDirOf(dst.stateDir), partial.tempName), Buffer.alloc(100), { flag: 'r+' });
    const second = createRig(src, dst);
    assert.equal(await second.apply(entry), 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'r.bin'))).equals(data));
    assert.ok(second.requestedOffsets.includes(lost), 'the lost chunk was fetched again');
    const total = src.index.chunksOf('r.bin').length;
    assert.equal(second.requestedOffsets.length, total - partial.verifiedOffsets.size + 1, 'every other recorded chunk was kept');
  } finally {
    await cleanup(root, [src, dst]);
  }
});

function corrupt(frame: Frame): Frame {
  const reply = frame.chunkReply!;
  const payload = Buffer.from(reply.payload);
  payload[payload.length >> 1] ^= 0xff;
  return { chunkReply: { ...reply, payload: new Uint8Array(payload) } };
}

test('a corrupted chunk reply is fetched again and the file is correct', async () => {
  const { root, src, dst } = await setup('corrupt-once');
  try {
    const data = randomBytes(1024 * 1024);
    const entry = await putFile(src, 'c.bin', data);
    let corrupted = false;
    const rig = createRig(src, dst, {
      tamper: (frame) => {
        if (frame.chunkReply && !corrupted) {
          corrupted = true;
          return corrupt(frame);
        }
        return frame;
      },
    });
    assert.equal(await rig.apply(entry), 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'c.bin'))).equals(data));
    assert.equal(rig.requestedOffsets.length, src.index.chunksOf('c.bin').length + 1, 'one chunk asked twice');
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a chunk that keeps arriving corrupted is never written and fails the file', async () => {
  const { root, src, dst } = await setup('corrupt-always');
  try {
    const data = randomBytes(1024 * 1024);
    const entry = await putFile(src, 'c.bin', data);
    const victim = src.index.chunksOf('c.bin')[1]!;
    const rig = createRig(src, dst, {
      tamper: (frame) => (frame.chunkReply && Buffer.from(frame.chunkReply.hash).equals(victim.hash) ? corrupt(frame) : frame),
    });
    await assert.rejects(rig.apply(entry), (err: LeftsyncError) => err.code === ErrorCode.CHUNK_HASH_MISMATCH);
    assert.equal(rig.requestedOffsets.filter((o) => o === victim.offset).length, 3, 'tried three times');
    const partial = dst.index.partial('c.bin', entry.digest)!;
    assert.equal(partial.verifiedOffsets.has(victim.offset), false);
    const temp = await readFile(path.join(tempDirOf(dst.stateDir), partial.tempName));
    assert.ok(temp.subarray(victim.offset, victim.offset + victim.length).every((b) => b === 0), 'bad bytes never written');
    await assert.rejects(stat(path.join(dst.shareDir, 'c.bin')));
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('VERSION_GONE: a tree request for a version no longer current abandons cleanly', async () => {
  const { root, src, dst } = await setup('gone-list');
  try {
    const old = await putFile(src, 'g.bin', randomBytes(1024 * 1024));
    // Another size: a rewrite within the same millisecond would otherwise look unchanged to the scanner.
    await putFile(src, 'g.bin', randomBytes(1024 * 1024 + 1));
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(old), 'waiting');
    assert.equal(rig.treeRequests, 1);
    assert.equal(rig.requestedOffsets.length, 0);
    await assert.rejects(stat(path.join(dst.shareDir, 'g.bin')));
    assert.equal(dst.index.partials().length, 0);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('VERSION_GONE: a source file changing mid-transfer abandons cleanly', async () => {
  const { root, src, dst } = await setup('gone-mid');
  try {
    const entry = await putFile(src, 'm.bin', randomBytes(2 * 1024 * 1024));
    let changed = false;
    const rig = createRig(src, dst, {
      windowChunks: 2,
      tamper: async (frame) => {
        if (frame.chunkReply && !changed) {
          changed = true;
          await putFile(src, 'm.bin', randomBytes(2 * 1024 * 1024));
        }
        return frame;
      },
    });
    assert.equal(await rig.apply(entry), 'waiting');
    await assert.rejects(stat(path.join(dst.shareDir, 'm.bin')));
    assert.equal(dst.index.get('m.bin'), undefined);
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a root the source\'s chunk list does not make is never served: the version reads as gone', async () => {
  const { root, src, dst } = await setup('digest');
  try {
    const data = randomBytes(200_000);
    const real = await putFile(src, 'd.bin', data);
    // The source's index claims a root its chunks do not produce.
    const lying = src.index.recordLocalChange({ ...real, digest: sha(Buffer.from('something else')) }, src.index.chunksOf('d.bin'));
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(lying), 'waiting');
    assert.equal(rig.requestedOffsets.length, 0);
    await assert.rejects(stat(path.join(dst.shareDir, 'd.bin')));
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('a local file changed since it was indexed is never overwritten', async () => {
  const { root, src, dst } = await setup('local-changed');
  try {
    const v1 = await putFile(src, 'l.txt', Buffer.from('one'));
    assert.equal(await createRig(src, dst).apply(v1), 'applied');
    const indexed = dst.index.get('l.txt')!;
    await writeFile(path.join(dst.shareDir, 'l.txt'), 'user edit, not yet scanned');
    const v2 = await putFile(src, 'l.txt', Buffer.from('two'));
    const result = await createRig(src, dst).apply(v2);
    assert.equal(result, 'rescanned');
    assert.equal(await readFile(path.join(dst.shareDir, 'l.txt'), 'utf8'), 'user edit, not yet scanned');
  } finally {
    await cleanup(root, [src, dst]);
  }
});

test('zeros and empty files arrive intact (zero chunks are left as holes)', async () => {
  const { root, src, dst } = await setup('zeros');
  try {
    const data = Buffer.concat([randomBytes(1024), Buffer.alloc(3 * 1024 * 1024)]);
    const sparse = await putFile(src, 'sparse.bin', data);
    const empty = await putFile(src, 'empty', Buffer.alloc(0));
    const rig = createRig(src, dst);
    assert.equal(await rig.apply(sparse), 'applied');
    const chunks = src.index.chunksOf('sparse.bin').length;
    assert.ok(chunks > 10 && rig.requestedOffsets.length <= 3, `identical zero chunks fetched once: ${rig.requestedOffsets.length} of ${chunks}`);
    assert.equal(await rig.apply(empty), 'applied');
    assert.ok((await readFile(path.join(dst.shareDir, 'sparse.bin'))).equals(data));
    assert.equal((await stat(path.join(dst.shareDir, 'empty'))).size, 0);
    const stats = rig.pullerStats.snapshot();
    assert.ok(stats.received.wireBytes < 200 * 1024, `zeros compress: ${stats.received.wireBytes} bytes on the wire`);
  } finally {
    await cleanup(root, [src, dst]);
  }
});
