/**
 * Streaming sync through the real CLI: a large new file's chunks are fetched
 * while the sender is still hashing it. The sender's hash is slowed by the
 * hidden --test-hash-pace-ms hook (each 1 MiB slice waits), and
 * --stream-min-bytes lets a test-sized file stream.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs, type LogEvent, type NodeProcess } from '../helpers/node-process.js';
import { MiB, PortRange, newSharePair, overwriteAt, partialBytesWritten, startSyncNode, transfersDone, whenLinked, writeRandomFile } from '../helpers/sync-node.js';
import { sha256File, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(27000, 27099);
const NAME = 'big.bin';

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

function streamingPair(paceMs: number) {
  const pair = newSharePair(ports);
  const flags = ['--stream-min-bytes', String(MiB), '--test-hash-pace-ms', String(paceMs)];
  const a = startSyncNode(pair.dirA, pair.portA, [pair.portB], flags);
  const b = startSyncNode(pair.dirB, pair.portB, [pair.portA], flags);
  return { ...pair, a, b };
}

/** Writes `size` random bytes next to the share and renames them in (the file appears whole). */
async function placeRandomFile(shareDir: string, size: number): Promise<string> {
  const staged = path.join(path.dirname(shareDir), `staged-${NAME}`);
  await writeRandomFile(staged, size);
  const target = path.join(shareDir, NAME);
  await rename(staged, target);
  return target;
}

function first(node: NodeProcess, event: string): LogEvent | undefined {
  return node.events.find((e) => e.event === event && e.path === NAME);
}

const timeOf = (e: LogEvent | undefined): number => Date.parse(String(e?.time));

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

test('the receiver fetches a growing list before the sender has recorded the file; the file goes into place only after the entry', async (t) => {
  const { dirA, dirB, a, b } = streamingPair(40);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  const source = await placeRandomFile(dirA, 48 * MiB);
  await waitUntil('the receiver holds streamed bytes', async () => (await partialBytesWritten(dirB)) > 0, 60_000);
  assert.equal(first(a, 'local.changed'), undefined, 'the sender has not recorded its entry yet');
  assert.equal(await exists(path.join(dirB, NAME)), false, 'nothing in the receiver share yet');

  const done = await b.waitForEvent('transfer.done', { path: NAME }, 120_000);
  assert.equal(await sha256File(path.join(dirB, NAME)), await sha256File(source));
  const recorded = first(a, 'local.changed');
  const following = first(b, 'stream.following');
  const adopted = first(b, 'stream.adopted');
  assert.ok(recorded && following && adopted, 'sender recorded, receiver followed and adopted');
  assert.ok(timeOf(following) < timeOf(recorded), 'the receiver started before the entry existed');
  assert.ok(timeOf(done) > timeOf(recorded), 'placed after the entry');
  assert.ok(Number(adopted.held) > 0, 'the pull took chunks the stream had fetched');
  t.diagnostic(`receiver followed ${timeOf(recorded) - timeOf(following)} ms before the entry was recorded; ` +
    `${String(adopted.held)} of ${String(adopted.chunks)} chunks already there when the pull began`);
});

test('a stream abandoned because the file changed mid-hash leaves nothing in the share; the later version syncs', async () => {
  const { dirA, dirB, a, b } = streamingPair(40);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  const source = await placeRandomFile(dirA, 48 * MiB);
  await waitUntil('the receiver holds streamed bytes', async () => (await partialBytesWritten(dirB)) > 0, 60_000);
  await overwriteAt(source, 4 * MiB, randomBytes(64 * 1024));
  await b.waitForEvent('stream.abandoned', { path: NAME }, 60_000);
  assert.equal(await exists(path.join(dirB, NAME)), false, 'the abandoned version never reached the share');

  await b.waitForEvent('transfer.done', { path: NAME }, 120_000);
  assert.equal(await sha256File(path.join(dirB, NAME)), await sha256File(source));
  assert.equal(transfersDone(b, NAME).length, 1, 'one version placed: the final one');
  const tmp = path.join(dirB, '.leftsync', 'tmp');
  await waitUntil('no partial download left', async () => (await readdir(tmp).catch(() => [])).length === 0, 10_000);
});

test('a receiver SIGKILLed mid-stream resumes from its stream partial after restart', async (t) => {
  const { dirA, dirB, a, b } = streamingPair(40);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  const source = await placeRandomFile(dirA, 96 * MiB);
  let before = 0;
  await waitUntil('the receiver holds 8 MiB of the stream', async () => (before = await partialBytesWritten(dirB)) >= 8 * MiB, 60_000);
  await b.kill('SIGKILL');
  assert.equal(first(a, 'local.changed'), undefined, 'killed while the sender was still hashing');

  b.spawn();
  await whenLinked(b);
  await b.waitForEvent('transfer.done', { path: NAME }, 120_000);
  assert.equal(await sha256File(path.join(dirB, NAME)), await sha256File(source));
  const following = first(b, 'stream.following');
  const adopted = first(b, 'stream.adopted');
  const resumed = Number(following?.resumable ?? 0) + Number(adopted?.earlier ?? 0);
  assert.ok(resumed > 0, 'the restarted receiver picked up the chunks of its stream partial');
  t.diagnostic(`killed with ${before} bytes in the stream partial; after restart ${String(following?.resumable ?? 0)} chunks resumable when it followed again, ` +
    `${String(adopted?.earlier ?? 0)} left to read back at adoption, ${String(adopted?.held)} held`);
});
