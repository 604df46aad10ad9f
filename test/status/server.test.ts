import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EventBus, type SyncEvent } from '../../src/status/events.js';
import { startStatusServer, type StatusServer } from '../../src/status/server.js';
import { PORT_FILE, TOKEN_FILE, readStatusEndpoint } from '../../src/status/state-files.js';
import { StatusTracker, type NodeStatus } from '../../src/status/tracker.js';
import { createMemoryPair } from '../../src/transport/memory.js';

async function withServer(run: (server: StatusServer, bus: EventBus, tracker: StatusTracker, stateDir: string) => Promise<void>): Promise<void> {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-status-'));
  const bus = new EventBus();
  const tracker = new StatusTracker(bus, { peerId: 'me', shareDir: '/share', dialing: ['127.0.0.1:9'], stats: () => ({}), pending: () => 3 });
  const server = await startStatusServer({ stateDir, port: 0, bus, tracker });
  try {
    await run(server, bus, tracker, stateDir);
  } finally {
    await server.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const base = (server: StatusServer): string => `http://127.0.0.1:${server.port}`;

test('every request needs the token: none or a wrong one is 401 LS_STATUS_UNAUTHORIZED', async () => {
  await withServer(async (server) => {
    for (const [url, headers] of [
      [`${base(server)}/rest/status`, {}],
      [`${base(server)}/rest/status`, { 'x-api-key': 'wrong' }],
      [`${base(server)}/rest/events?timeout=0`, { authorization: `Bearer ${server.token}x` }],
      [`${base(server)}/?token=nope`, {}],
      [`${base(server)}/nowhere`, {}],
    ] as const) {
      const res = await fetch(url, { headers });
      assert.equal(res.status, 401, url);
      const body = (await res.json()) as { error: { code: string } };
      assert.equal(body.error.code, 'LS_STATUS_UNAUTHORIZED');
    }
    for (const headers of [{ 'x-api-key': server.token }, { authorization: `Bearer ${server.token}` }] as Record<string, string>[]) {
      assert.equal((await fetch(`${base(server)}/rest/status`, { headers })).status, 200);
    }
    assert.equal((await fetch(`${base(server)}/rest/status?token=${server.token}`)).status, 200);
    assert.equal((await fetch(`${base(server)}/nowhere`, { headers: { 'x-api-key': server.token } })).status, 404);
    assert.equal((await fetch(`${base(server)}/rest/status`, { method: 'POST', headers: { 'x-api-key': server.token } })).status, 405);
  });
});

test('the token file is 0600 and the chosen port is written next to it (and removed at stop)', async () => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-status-'));
  try {
    const bus = new EventBus();
    const tracker = new StatusTracker(bus, { peerId: 'me', shareDir: '/s', dialing: [], stats: () => ({}), pending: () => 0 });
    const first = await startStatusServer({ stateDir, port: 0, bus, tracker });
    assert.equal((await stat(path.join(stateDir, TOKEN_FILE))).mode & 0o777, 0o600);
    assert.deepEqual(await readStatusEndpoint(stateDir), { port: first.port, token: first.token });
    assert.equal(first.url, `http://127.0.0.1:${first.port}/?token=${first.token}`);
    await first.stop();
    await assert.rejects(readFile(path.join(stateDir, PORT_FILE)), { code: 'ENOENT' });
    await assert.rejects(readStatusEndpoint(stateDir), { code: 'LS_NOT_RUNNING' });
    // A restart keeps the token (a bookmarked address keeps working).
    const second = await startStatusServer({ stateDir, port: 0, bus, tracker });
    assert.equal(second.token, first.token);
    await second.stop();
  } finally {
    await rm(stateDir, { recursive: true, force: true });
  }
});

test('/rest/status shows peers, pending files, transfers in progress, totals and conflicts', async () => {
  await withServer(async (server, bus, tracker) => {
    const [conn, other] = createMemoryPair('me', 'peer-b');
    tracker.linked(conn);
    bus.emit('transfer.started', { peer: 'peer-b', path: 'big.bin', size: 1000, bytesDone: 0 });
    bus.emit('transfer.progress', { peer: 'peer-b', path: 'big.bin', size: 1000, bytesDone: 400 });
    bus.emit('transfer.started', { peer: 'peer-b', path: 'small', size: 10, bytesDone: 0 });
    bus.emit('transfer.ended', { peer: 'peer-b', path: 'small', size: 10, bytesDone: 10, ok: true });
    bus.emit('file.synced', { peer: 'peer-b', path: 'small', kind: 'file', size: 10, bytesReceived: 4, bytesSaved: 6 });
    bus.emit('conflict', { peer: 'peer-b', path: 'n.txt', keptAs: 'n.sync-conflict-x.txt', winner: 'peer-b' });
    const status = (await (await fetch(`${base(server)}/rest/status`, { headers: { 'x-api-key': server.token } })).json()) as NodeStatus;
    assert.equal(status.schema, 1);
    assert.equal(status.peerId, 'me');
    assert.deepEqual(status.dialing, ['127.0.0.1:9']);
    assert.equal(status.peers.length, 1);
    assert.equal(status.peers[0].peer, 'peer-b');
    assert.equal(status.peers[0].linked, true);
    assert.equal(status.peers[0].address, conn.remoteAddress);
    assert.deepEqual(status.pending, { files: 3 });
    assert.deepEqual(status.transfers, [{ peer: 'peer-b', path: 'big.bin', size: 1000, bytesDone: 400 }]);
    assert.equal(status.totals.filesSynced, 1);
    assert.equal(status.totals.bytesSaved, 6);
    assert.equal(status.totals.conflicts, 1);
    assert.equal(status.conflicts[0].keptAs, 'n.sync-conflict-x.txt');
    assert.equal(status.lastEventId, bus.lastId);
    other.close();
    await new Promise((r) => setImmediate(r));
    const after = (await (await fetch(`${base(server)}/rest/status`, { headers: { 'x-api-key': server.token } })).json()) as NodeStatus;
    assert.equal(after.peers[0].linked, false);
    assert.deepEqual(bus.since(0).filter((e) => e.type.startsWith('peer.')).map((e) => e.type), ['peer.linked', 'peer.lost']);
  });
});

test('/rest/events long-polls: answers when an event arrives, [] after the timeout, ids follow on', async () => {
  await withServer(async (server, bus) => {
    const headers = { 'x-api-key': server.token };
    bus.emit('local.changed', { path: 'a', kind: 'file', deleted: false });
    const first = (await (await fetch(`${base(server)}/rest/events?since=0`, { headers })).json()) as SyncEvent[];
    assert.deepEqual(first.map((e) => e.id), [1]);
    const waiting = fetch(`${base(server)}/rest/events?since=1&timeout=60`, { headers }).then((r) => r.json() as Promise<SyncEvent[]>);
    setTimeout(() => bus.emit('file.deleted', { peer: 'p', path: 'a', kind: 'file' }), 50);
    const next = await waiting;
    assert.deepEqual(next.map((e) => [e.id, e.type]), [[2, 'file.deleted']]);
    assert.deepEqual(await (await fetch(`${base(server)}/rest/events?since=2&timeout=0`, { headers })).json(), []);
    assert.deepEqual(await (await fetch(`${base(server)}/rest/events?since=2&timeout=1`, { headers })).json(), []);
    // A bad number falls back to the default; a limit is honoured.
    bus.emit('folder.synced', { peer: 'p', path: 'd' });
    const limited = (await (await fetch(`${base(server)}/rest/events?since=x&limit=1`, { headers })).json()) as SyncEvent[];
    assert.deepEqual(limited.map((e) => e.id), [1]);
  });
});

test('--gui-port N listens on N; a port in use is a usage error (LS_USAGE) naming --gui-port', async () => {
  await withServer(async (server, bus, tracker) => {
    const stateDir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-status-'));
    try {
      await assert.rejects(startStatusServer({ stateDir, port: server.port, bus, tracker }), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'LS_USAGE');
        assert.match(err.message, /--gui-port/);
        return true;
      });
      const free = await freePort();
      const fixed = await startStatusServer({ stateDir, port: free, bus, tracker });
      assert.equal(fixed.port, free);
      assert.deepEqual(await readStatusEndpoint(stateDir), { port: free, token: fixed.token });
      await fixed.stop();
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

test('stop() ends long polls under way', async () => {
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'leftsync-status-'));
  const bus = new EventBus();
  const tracker = new StatusTracker(bus, { peerId: 'me', shareDir: '/s', dialing: [], stats: () => ({}), pending: () => 0 });
  const server = await startStatusServer({ stateDir, port: 0, bus, tracker });
  const poll = fetch(`http://127.0.0.1:${server.port}/rest/events?timeout=120`, { headers: { 'x-api-key': server.token } }).then(
    (r) => r.text(),
    () => 'closed',
  );
  await new Promise((r) => setTimeout(r, 50));
  await server.stop();
  assert.ok(['[]', 'closed'].includes(await poll));
  await rm(stateDir, { recursive: true, force: true });
});
