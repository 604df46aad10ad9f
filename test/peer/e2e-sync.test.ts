/**
 * The sync engine end to end: real processes (test/peer/sync-driver.ts) linked
 * by the real WebSocket transport on 127.0.0.1, separate folders, dynamic ports.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeTempDir, treeOf, waitFor } from './harness.js';

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sync-driver.js');
const MiB = 1024 * 1024;
const running = new Set<ChildProcess>();

after(() => {
  for (const child of running) child.kill('SIGKILL');
});

interface Driver {
  child: ChildProcess;
  port: number;
  /** Every JSON log line so far. */
  logs: Array<Record<string, unknown>>;
}

async function startDriver(shareDir: string, port: number, peers: number[]): Promise<Driver> {
  await mkdir(shareDir, { recursive: true });
  const child = spawn(process.execPath, [DRIVER, shareDir, String(port), peers.length ? peers.join(',') : '-'], {
    env: { ...process.env, LEFTSYNC_LOG_FORMAT: 'json', LEFTSYNC_LOG: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.on('exit', () => running.delete(child));
  const driver: Driver = { child, port: 0, logs: [] };
  let rest = '';
  child.stderr!.on('data', (data: Buffer) => {
    const lines = (rest + data.toString()).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      try {
        driver.logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stdout!.on('data', (data: Buffer) => {
    const match = /PORT (\d+)/.exec(data.toString());
    if (match) driver.port = Number(match[1]);
  });
  await waitFor('driver listening', () => driver.port !== 0 || child.exitCode !== null, 30_000);
  assert.notEqual(driver.port, 0, 'driver started');
  return driver;
}

function stop(driver: Driver, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (driver.child.exitCode !== null || driver.child.signalCode !== null) return resolve();
    driver.child.once('exit', () => resolve());
    driver.child.kill(signal);
  });
}

const events = (driver: Driver, event: string, filePath?: string) =>
  driver.logs.filter((l) => l.event === event && (filePath === undefined || l.path === filePath));

async function writeRandom(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let offset = 0; offset < size; offset += MiB) await handle.write(randomBytes(Math.min(MiB, size - offset)));
  } finally {
    await handle.close();
  }
}

async function sameShares(a: string, b: string): Promise<boolean> {
  try {
    return JSON.stringify(await treeOf(a)) === JSON.stringify(await treeOf(b));
  } catch {
    return false;
  }
}

test('two processes keep a tree identical both ways, and a 9-byte edit of a big file costs a chunk', async (t) => {
  const root = await makeTempDir('e2e-sync');
  const dirA = path.join(root, 'A');
  const dirB = path.join(root, 'B');
  await mkdir(path.join(dirA, 'nested/deeper'), { recursive: true });
  await mkdir(path.join(dirA, 'empty-dir'), { recursive: true });
  await writeFile(path.join(dirA, 'nested/deeper/note.txt'), 'hello from A\n');
  await writeFile(path.join(dirA, 'empty.txt'), '');
  await writeRandom(path.join(dirA, 'big.bin'), 20 * MiB);
  const a = await startDriver(dirA, 0, []);
  const b = await startDriver(dirB, 0, [a.port]);
  try {
    await writeFile(path.join(dirB, 'from-b.txt'), 'hello from B\n');
    await waitFor('first sync', () => sameShares(dirA, dirB), 90_000);
    assert.ok((await treeOf(dirA))['from-b.txt'], 'B -> A');

    const fd = await open(path.join(dirA, 'big.bin'), 'r+');
    await fd.write(Buffer.from('NINEBYTES'), 0, 9, 0);
    await fd.close();
    await waitFor('edit applied', () => events(b, 'transfer.done', 'big.bin').length >= 2, 90_000);
    assert.ok((await readFile(path.join(dirB, 'big.bin'))).equals(await readFile(path.join(dirA, 'big.bin'))));
    const done = events(b, 'transfer.done', 'big.bin').at(-1)!;
    assert.ok((done.bytesReceived as number) < 1 * MiB, `9-byte edit moved ${String(done.bytesReceived)} bytes`);
    assert.ok((done.chunksReused as number) > 100);
    t.diagnostic(`9-byte edit of 20 MiB: ${String(done.bytesReceived)} bytes received, ${String(done.chunksFetched)} chunks fetched, ${String(done.chunksReused)} reused`);

    await rm(path.join(dirB, 'nested'), { recursive: true });
    await waitFor('deletion reached A', async () => (await sameShares(dirA, dirB)) && !(await treeOf(dirA))['nested'], 60_000);
  } finally {
    await Promise.all([stop(a), stop(b)]);
    await rm(root, { recursive: true, force: true });
  }
});

test('receiver killed mid-transfer: after restart, chunks verified before the kill are not fetched again', async (t) => {
  const root = await makeTempDir('e2e-resume');
  const dirA = path.join(root, 'A');
  const dirB = path.join(root, 'B');
  await mkdir(dirA, { recursive: true });
  const size = 80 * MiB;
  await writeRandom(path.join(dirA, 'large.bin'), size);
  const a = await startDriver(dirA, 0, []);
  let b = await startDriver(dirB, 0, [a.port]);
  try {
    await waitFor(
      'transfer under way',
      () => events(b, 'transfer.stats').some((l) => (l.rawBytesReceived as number) > 20 * MiB),
      90_000,
    );
    await stop(b, 'SIGKILL');
    assert.equal(events(b, 'transfer.done', 'large.bin').length, 0, 'killed before the end');
    b = await startDriver(dirB, 0, [a.port]);
    await waitFor('resumed transfer done', () => events(b, 'transfer.done', 'large.bin').length > 0, 120_000);
    const done = events(b, 'transfer.done', 'large.bin')[0]!;
    assert.ok((done.chunksResumed as number) > 0, 'verified chunks kept');
    t.diagnostic(`after restart: ${String(done.bytesReceived)} of ${size} bytes received, ${String(done.chunksResumed)} chunks resumed, ${String(done.chunksFetched)} fetched`);
    assert.ok((done.bytesReceived as number) < size - 15 * MiB, `after restart ${String(done.bytesReceived)} of ${size} bytes`);
    assert.ok((await readFile(path.join(dirB, 'large.bin'))).equals(await readFile(path.join(dirA, 'large.bin'))));
  } finally {
    await Promise.all([stop(a), stop(b)]);
    await rm(root, { recursive: true, force: true });
  }
});

test('sender killed mid-transfer and restarted: the receiver resumes from its verified chunks', async (t) => {
  const root = await makeTempDir('e2e-sender-kill');
  const dirA = path.join(root, 'A');
  const dirB = path.join(root, 'B');
  await mkdir(dirA, { recursive: true });
  const size = 80 * MiB;
  await writeRandom(path.join(dirA, 'large.bin'), size);
  let a = await startDriver(dirA, 0, []);
  const port = a.port;
  const b = await startDriver(dirB, 0, [port]);
  try {
    await waitFor(
      'transfer under way',
      () => events(b, 'transfer.stats').some((l) => (l.rawBytesReceived as number) > 20 * MiB),
      90_000,
    );
    await stop(a, 'SIGKILL');
    a = await startDriver(dirA, port, []);
    await waitFor('transfer done', () => events(b, 'transfer.done', 'large.bin').length > 0, 120_000);
    const done = events(b, 'transfer.done', 'large.bin')[0]!;
    assert.ok((done.chunksResumed as number) > 0, 'verified chunks kept across the sender restart');
    t.diagnostic(`after the sender restart: ${String(done.bytesReceived)} of ${size} bytes received, ${String(done.chunksResumed)} chunks resumed`);
    assert.ok((await readFile(path.join(dirB, 'large.bin'))).equals(await readFile(path.join(dirA, 'large.bin'))));
  } finally {
    await Promise.all([stop(a), stop(b)]);
    await rm(root, { recursive: true, force: true });
  }
});
