/**
 * The resynchronisation properties the issue names, on the default engine and
 * on a 64 MiB random file.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ENGINE, chunkerParams } from '../../src/chunker/params.js';
import { diffSignatures } from '../../src/chunker/diff.js';
import { signBuffer } from '../../src/chunker/sign.js';
import { signFile } from '../../src/cli/sign-file.js';
import { type FileSignature } from '../../src/chunker/types.js';
import { randomBytes } from '../../fixtures/cases.js';
import { MiB } from './helpers.js';

const params = chunkerParams(DEFAULT_ENGINE);
let base: Buffer;
let baseSig: FileSignature;
let dir: string;

before(async () => {
  base = randomBytes(64 * MiB, 201);
  baseSig = await signBuffer(base, params);
  dir = await mkdtemp(join(tmpdir(), 'leftsync-chunker-'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a 100-byte insert in the middle of a 64 MiB random file changes at most 3 chunks', async () => {
  const mid = base.length >> 1;
  const edited = Buffer.concat([base.subarray(0, mid), randomBytes(100, 202), base.subarray(mid)]);
  const diff = diffSignatures(baseSig, await signBuffer(edited, params));
  assert.ok(diff.missing.length >= 1 && diff.missing.length <= 3, `${diff.missing.length} chunks differ`);
});

test('a 1 MiB overwrite sends at most 1 MiB plus two maximum-size chunks', async () => {
  const edited = Buffer.from(base);
  randomBytes(MiB, 203).copy(edited, 20 * MiB + 777);
  const diff = diffSignatures(baseSig, await signBuffer(edited, params));
  assert.ok(diff.bytesMissing >= MiB, 'the overwritten bytes themselves are sent');
  assert.ok(diff.bytesMissing <= MiB + 2 * params.maxSize, `${diff.bytesMissing} bytes to send`);
});

test('an identical file sends no chunk bytes', async () => {
  const diff = diffSignatures(baseSig, await signBuffer(Buffer.from(base), params));
  assert.equal(diff.missing.length, 0);
  assert.equal(diff.bytesMissing, 0);
  assert.equal(diff.reused.length, baseSig.chunks.length);
});

test('reading the same file with 4 KiB and 4 MiB buffers gives identical chunks', async () => {
  const path = join(dir, 'random-64m.bin');
  await writeFile(path, base);
  const small = await signFile(path, params, undefined, 4 * 1024);
  const large = await signFile(path, params, undefined, 4 * MiB);
  assert.deepEqual(small, large);
  assert.deepEqual(large, baseSig);
});
