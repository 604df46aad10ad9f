import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkerParams } from '../../src/chunker/params.js';
import { signBuffer } from '../../src/chunker/sign.js';
import { signFile } from '../../src/cli/sign-file.js';
import { ErrorCode, LeftsyncError } from '../../src/errors.js';
import { randomBytes } from '../../fixtures/cases.js';

const isBadInput = (err: unknown) => err instanceof LeftsyncError && err.code === ErrorCode.BAD_INPUT;

test('signFile signs a file as signBuffer signs its bytes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leftsync-signfile-'));
  try {
    const data = randomBytes(700_000, 301);
    await writeFile(join(dir, 'f'), data);
    assert.deepEqual(await signFile(join(dir, 'f'), chunkerParams()), await signBuffer(data, chunkerParams()));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('signFile hands onChunk the right bytes even though it reuses its read buffer', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leftsync-signfile-'));
  try {
    const data = randomBytes(900_000, 302);
    await writeFile(join(dir, 'f'), data);
    let checked = 0;
    const sig = await signFile(join(dir, 'f'), chunkerParams(), async (chunk, bytes) => {
      assert.deepEqual(bytes, data.subarray(chunk.offset, chunk.offset + chunk.length));
      await new Promise((resolve) => setImmediate(resolve));
      assert.deepEqual(bytes, data.subarray(chunk.offset, chunk.offset + chunk.length), 'still valid until onChunk settles');
      checked++;
    }, 10_000);
    assert.equal(checked, sig.chunks.length);
    assert.ok(checked > 3);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a missing path or a directory is BAD_INPUT', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'leftsync-signfile-'));
  try {
    await assert.rejects(signFile(join(dir, 'nope'), chunkerParams()), (err: unknown) => isBadInput(err) && /no such file/.test((err as Error).message));
    await assert.rejects(signFile(dir, chunkerParams()), (err: unknown) => isBadInput(err) && /is a directory/.test((err as Error).message));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
