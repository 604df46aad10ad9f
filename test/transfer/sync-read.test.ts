/**
 * The supplier's synchronous read of a short run from a file not already open
 * (src/transfer/read-handles.ts): the stats it returns are taken after the read,
 * so a file whose stats moved since it was indexed has every chunk hashed, and
 * one whose bytes changed is refused (VERSION_GONE), never sent.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { lstatSync } from 'node:fs';
import { symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { decodeChunk } from '../../src/codec/lz4.js';
import { ErrorCode } from '../../src/errors.js';
import type { IndexEntry } from '../../src/model/entries.js';
import { ReadHandles, SYNC_READ_BYTES } from '../../src/transfer/read-handles.js';
import { putFile, recordingSupplier, setupForTest } from './rig.js';

const wholeFile = (entry: IndexEntry) => ({
  path: entry.path,
  digest: new Uint8Array(entry.digest),
  offset: 0,
  length: entry.size,
  hash: new Uint8Array(entry.digest), // a file below the smallest chunk is one chunk, named by its digest
});

test('a short run is read in one go, with the stats after the read; a short file is LS_IO', async (t) => {
  const { root, src } = await setupForTest(t, 'sync-read-direct');
  const data = randomBytes(5000);
  const file = path.join(src.shareDir, 'small.bin');
  await writeFile(file, data);
  const handles = new ReadHandles();
  const { data: read, stats } = await handles.read(file, 1000, 3000);
  assert.ok(read.equals(data.subarray(1000, 4000)));
  assert.equal(stats.ino, lstatSync(file).ino);
  assert.equal(stats.size, 5000);
  await assert.rejects(handles.read(file, 4000, 2000), (err: { code?: string }) => err.code === ErrorCode.IO);
  await assert.rejects(handles.read(path.join(src.shareDir, 'missing.bin'), 0, 10), (err: { code?: string }) => err.code === ErrorCode.IO);
  // A link where the file was is not read through.
  await writeFile(path.join(root, 'outside.bin'), data);
  await unlink(file);
  await symlink(path.join(root, 'outside.bin'), file);
  await assert.rejects(handles.read(file, 0, 100), (err: { code?: string }) => err.code === ErrorCode.IO);
  assert.ok(SYNC_READ_BYTES >= 4096);
  handles.closeAll();
});

test('small files: served as indexed; touched since (stats moved) still served once hashed; changed bytes refused', async (t) => {
  const { src } = await setupForTest(t, 'sync-read-supplier');
  const same = await putFile(src, 'same.bin', randomBytes(4096));
  const touchedData = randomBytes(4096);
  const touched = await putFile(src, 'touched.bin', touchedData);
  const changed = await putFile(src, 'changed.bin', randomBytes(4096));
  // Same bytes, new mtime: the stats no longer match the index, so the chunk is hashed (and matches).
  const later = new Date(Date.now() + 20_000);
  await utimes(path.join(src.shareDir, 'touched.bin'), later, later);
  // Other bytes of the same size, a new mtime: hashed, and refused.
  const before = lstatSync(path.join(src.shareDir, 'changed.bin'));
  await writeFile(path.join(src.shareDir, 'changed.bin'), randomBytes(4096));
  await utimes(path.join(src.shareDir, 'changed.bin'), before.atime, new Date(before.mtimeMs + 7_000));

  const { supplier, sent } = recordingSupplier(src);
  await supplier.answerChunk({ requestId: 1, wants: [same, touched, changed].map(wholeFile) });
  assert.deepEqual(sent.map((f) => [f.chunkReply!.index, f.chunkReply!.errorCode]), [[0, ''], [1, ''], [2, ErrorCode.VERSION_GONE]]);
  const reply = sent[1]!.chunkReply!;
  assert.ok(decodeChunk(reply.payload, reply.compressed, 4096).equals(touchedData));
  supplier.close();
});
