/**
 * `leftsync --json` and `leftsync status` between two real processes: every
 * stdout line is one event of the documented model, and a whole sync (link,
 * folder, files with their bytes, a deletion, the peer going away) shows up.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { EVENT_SCHEMA, EVENT_TYPES, type SyncEvent } from '../../src/status/events.js';
import type { NodeStatus } from '../../src/status/tracker.js';
import { CLI, cleanupNodes, removeTempDirs, startNode, type NodeProcess } from '../helpers/node-process.js';
import { PortRange, QUICK, SECRET, newShare, whenLinked } from '../helpers/sync-node.js';

const run = promisify(execFile);
const ports = new PortRange(26500, 26599);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

function jsonNode(dir: string, port: number, peerPort: number): NodeProcess {
  return startNode(dir, ['--port', String(port), '--listen', '127.0.0.1', '--secret', SECRET, '--ip', `127.0.0.1:${peerPort}`, ...QUICK, '--json'], { stdout: true });
}

function eventsOf(node: NodeProcess): SyncEvent[] {
  return node.stdoutLines.filter((line) => line !== '').map((line) => JSON.parse(line) as SyncEvent);
}

async function until(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('--json prints one event per line covering a whole sync, deletion included; leftsync status reports it', async () => {
  const dirA = newShare();
  const dirB = newShare();
  const [portA, portB] = [ports.take(), ports.take()];
  const a = jsonNode(dirA, portA, portB);
  const b = jsonNode(dirB, portB, portA);
  await Promise.all([whenLinked(a), whenLinked(b)]);

  await mkdir(path.join(dirA, 'docs'));
  await writeFile(path.join(dirA, 'docs/note.txt'), 'a note\n');
  await writeFile(path.join(dirA, 'data.bin'), randomBytes(3 * 1024 * 1024));
  const synced = (p: string) => eventsOf(b).some((e) => e.type === 'file.synced' && e.data.path === p);
  await until('both files synced at B', () => synced('docs/note.txt') && synced('data.bin'));
  await rm(path.join(dirA, 'docs/note.txt'));
  await until('the deletion at B', () => eventsOf(b).some((e) => e.type === 'file.deleted' && e.data.path === 'docs/note.txt'));
  assert.equal(existsSync(path.join(dirB, 'docs/note.txt')), false);

  for (const node of [a, b]) {
    const events = eventsOf(node);
    // Every line parsed above; each is a known type of this schema, ids 1, 2, 3, ...
    assert.deepEqual(events.map((e) => e.id), events.map((_, i) => i + 1));
    for (const e of events) {
      assert.equal(e.schema, EVENT_SCHEMA);
      assert.ok(EVENT_TYPES.includes(e.type), e.type);
      assert.ok(!Number.isNaN(Date.parse(e.time)));
    }
  }
  const atA = eventsOf(a);
  const atB = eventsOf(b);
  const peerA = atB.find((e) => e.type === 'peer.linked')!;
  assert.equal(atB.filter((e) => e.type === 'peer.linked').length, 1, 'one peer.linked per peer, even when both dialed');
  const local = atA.filter((e) => e.type === 'local.changed').map((e) => e.data);
  assert.deepEqual(local.find((d) => d.path === 'docs'), { path: 'docs', kind: 'dir', deleted: false });
  assert.deepEqual(local.find((d) => d.path === 'docs/note.txt' && d.deleted), { path: 'docs/note.txt', kind: 'file', deleted: true });
  assert.deepEqual(atB.find((e) => e.type === 'folder.synced')!.data, { peer: peerA.data.peer, path: 'docs' });
  const data = atB.find((e) => e.type === 'file.synced' && e.data.path === 'data.bin')!;
  assert.ok(data.type === 'file.synced');
  assert.equal(data.data.size, 3 * 1024 * 1024);
  assert.ok(data.data.bytesReceived >= 3 * 1024 * 1024, 'random bytes cross the wire uncompressed');
  assert.deepEqual(atB.find((e) => e.type === 'file.deleted')!.data, { peer: peerA.data.peer, path: 'docs/note.txt', kind: 'file' });
  assert.ok(atB.some((e) => e.type === 'transfer.started' && e.data.path === 'data.bin'));
  assert.ok(atB.some((e) => e.type === 'transfer.ended' && e.data.path === 'data.bin' && e.data.ok));

  // leftsync status, run in B's working directory (./share is the default --dir).
  const cwd = path.dirname(dirB);
  const json = JSON.parse((await run(process.execPath, [CLI, 'status', '--json'], { cwd })).stdout) as NodeStatus;
  assert.equal(json.schema, EVENT_SCHEMA);
  assert.equal(json.peers.length, 1);
  assert.equal(json.peers[0]!.peer, peerA.data.peer);
  assert.equal(json.peers[0]!.linked, true);
  assert.ok(json.peers[0]!.bytesReceived >= 3 * 1024 * 1024);
  assert.equal(json.totals.filesSynced, 2);
  assert.equal(json.totals.deleted, 1);
  assert.deepEqual(json.transfers, []);
  assert.equal(json.pending.files, 0);
  assert.equal(json.lastEventId >= atB.length, true);
  const text = (await run(process.execPath, [CLI, 'status', '--state-dir', path.join(dirB, '.leftsync')])).stdout;
  assert.match(text, new RegExp(`${peerA.data.peer.slice(0, 7)}  linked  127\\.0\\.0\\.1:\\d+  rtt \\d+ ms`));
  assert.match(text, /synced: 2 files, 1 folders, 1 deletions/);
  const url = (await run(process.execPath, [CLI, 'status', '--url'], { cwd })).stdout.trim();
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=\S+$/);
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>leftsync status<\/title>/);
  assert.equal((await fetch(new URL('/rest/status', url))).status, 401);

  await a.kill('SIGKILL');
  await until('peer.lost at B', () => eventsOf(b).some((e) => e.type === 'peer.lost' && e.data.peer === peerA.data.peer));
});

test('leftsync status without a running node says so (LS_NOT_RUNNING, exit 1: the environment, not the command line)', async () => {
  const dir = newShare();
  await assert.rejects(run(process.execPath, [CLI, 'status', '--dir', dir]), (err: { code: number; stderr: string }) => {
    assert.equal(err.code, 1);
    assert.match(err.stderr, /no leftsync is running with the state folder/);
    return true;
  });
});
