/**
 * Test peers for sync-engine tests: a share and state folder in a temp dir, an
 * index, the real scanner, and sessions joined over createMemoryPair. Plays the
 * part of the node (scan -> announce to every session).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { openIndex } from '../../src/db/sqlite-index.js';
import type { SyncIndex } from '../../src/model/entries.js';
import { createSession } from '../../src/peer/session.js';
import type { Session, SessionOptions } from '../../src/peer/session-types.js';
import { SessionSet } from '../../src/peer/sessions.js';
import { createMemoryPair } from '../../src/transport/memory.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import { MemoryIndex } from './memory-index.js';
import { chunkerParams } from '../../src/chunker/params.js';
import { createScanLock, type ScanLock } from '../../src/scanner/scan-lock.js';
import { EventBus } from '../../src/status/events.js';
import { createScanner } from '../../src/scanner/scanner.js';
import type { ShareGuard } from '../../src/fs/share-guard.js';
import { DiskFull } from '../../src/transfer/disk-full.js';
import { guardOf } from '../helpers/share.js';
import { isLeftsyncOwn } from '../helpers/tree.js';

export interface TestPeer {
  id: string;
  shareDir: string;
  stateDir: string;
  index: SyncIndex;
  /** The node's sessions (one per linked peer). */
  set: SessionSet;
  readonly sessions: Session[];
  /** Scans the share (or some paths) and announces to every session. */
  scan(paths?: string[]): Promise<void>;
  /** The node's scan lock, held by its scanner and its appliers (as src/peer/node.ts does). */
  scanLock: ScanLock;
  /** The node's events (what its sessions emit). */
  events: EventBus;
  /** The node's ignore rules (the state folder among them). */
  isIgnored(relPath: string, isDir: boolean): boolean;
  /** The node's share guard and disk-full state (as src/peer/node.ts makes them). */
  share: ShareGuard;
  disk: DiskFull;
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `leftsync-${prefix}-`));
}

export async function createPeer(root: string, id: string, kind: 'sqlite' | 'memory' = 'sqlite'): Promise<TestPeer> {
  const shareDir = path.join(root, id, 'share');
  const stateDir = path.join(shareDir, '.leftsync');
  await mkdir(stateDir, { recursive: true });
  const index = kind === 'sqlite' ? openIndex(stateDir, id) : new MemoryIndex(id);
  // The same lock as the real node: a scan never runs between a replace and its record.
  const scanLock = createScanLock();
  const share = await guardOf(shareDir, stateDir);
  const disk = new DiskFull({ index, stateDir });
  const scanner = await createScanner({ shareDir, stateDir, index, params: chunkerParams(), lock: scanLock, share });
  const isIgnored = (p: string, dir: boolean): boolean => scanner.ignore.ignores(p, dir);
  const events = new EventBus();
  const set = new SessionSet({
    events,
    index,
    shareDir,
    stateDir,
    rescan: (paths) => peer.scan(paths),
    scanLock,
    isIgnored,
    share,
    disk,
  });
  const peer: TestPeer = {
    id,
    shareDir,
    stateDir,
    index,
    set,
    get sessions() {
      return set.all();
    },
    async scan(paths) {
      await (paths === undefined ? scanner.scanAll() : scanner.scanPaths(paths));
      set.announceAll();
    },
    scanLock,
    events,
    isIgnored,
    share,
    disk,
  };
  return peer;
}

/** A temp root `name` with a peer per id (each with a `kind` index), closed and removed once the test `t` ends, pass or fail. */
export async function peersFor(t: TestContext, name: string, ids: string[], kind: 'sqlite' | 'memory' = 'sqlite'): Promise<{ root: string; peers: TestPeer[] }> {
  const root = await makeTempDir(name);
  const peers: TestPeer[] = [];
  t.after(() => cleanup(root, peers));
  for (const id of ids) peers.push(await createPeer(root, id, kind));
  return { root, peers };
}

/** Starts a session of `peer` on `conn` (extra options for tests that need them). */
export function sessionFor(peer: TestPeer, conn: PeerConnection, extra: Partial<SessionOptions> = {}): Session {
  if (Object.keys(extra).length === 0) return peer.set.attach(conn);
  return createSession({
    events: peer.events,
    conn,
    index: peer.index,
    shareDir: peer.shareDir,
    stateDir: peer.stateDir,
    rescan: (paths) => peer.scan(paths),
    isIgnored: peer.isIgnored,
    scanLock: peer.scanLock,
    share: peer.share,
    disk: peer.disk,
    pathLocks: peer.set.pathLocks,
    ...extra,
  });
}

/** Links two peers with a fresh in-memory connection; returns both sessions. */
export function link(a: TestPeer, b: TestPeer): [Session, Session] {
  const [ab, ba] = createMemoryPair(a.id, b.id);
  return [sessionFor(a, ab), sessionFor(b, ba)];
}

/** Closes a link (both sessions end, as when a socket drops). */
export function unlink(a: TestPeer, b: TestPeer): void {
  a.set.get(b.id)?.close('test unlink');
  b.set.get(a.id)?.close('test unlink');
}

/** Polls `check` until it returns true; fails after a generous timeout. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Same trees, every session of both peers idle, then the trees asserted equal (`what` names the step). */
export async function converge(a: TestPeer, b: TestPeer, what: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(what, () => sameTrees(a, b), timeoutMs);
  await Promise.all([...a.sessions, ...b.sessions].map((s) => s.whenIdle()));
  assert.deepEqual(await treeOf(a.shareDir), await treeOf(b.shareDir), what);
}

/**
 * A writes `files` (share-relative path -> content) and scans, the peers link and
 * converge ('base'), then unlink: both hold the same base and are offline.
 */
export async function baseThenUnlinked(a: TestPeer, b: TestPeer, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) await writeFile(path.join(a.shareDir, rel), content);
  await a.scan();
  link(a, b);
  await converge(a, b, 'base');
  unlink(a, b);
}

/**
 * Edits made apart: each [peer, content, mtimeMs] writes its own version of the
 * share-relative `rel`, with that mtime (and atime); then each of them scans.
 */
export async function concurrentEdits(rel: string, ...edits: Array<[TestPeer, string, number]>): Promise<void> {
  for (const [peer, content, mtimeMs] of edits) {
    await writeFile(path.join(peer.shareDir, rel), content);
    await utimes(path.join(peer.shareDir, rel), new Date(mtimeMs), new Date(mtimeMs));
  }
  for (const [peer] of edits) await peer.scan();
}

/** rel path -> "file:<sha256>:<mode>" / "dir:<mode>" / "link:<target>", state folder excluded. */
export async function treeOf(shareDir: string, rel = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(path.join(shareDir, rel))).sort()) {
    const child = rel ? `${rel}/${name}` : name;
    if (isLeftsyncOwn(child)) continue;
    const abs = path.join(shareDir, child);
    const stats = await lstat(abs);
    if (stats.isSymbolicLink()) out[child] = `link:${await readlink(abs)}`;
    else if (stats.isDirectory()) {
      out[child] = `dir:${(stats.mode & 0o777).toString(8)}`;
      Object.assign(out, await treeOf(shareDir, child));
    } else {
      const hash = createHash('sha256').update(await readFile(abs)).digest('hex').slice(0, 16);
      out[child] = `file:${hash}:${(stats.mode & 0o777).toString(8)}`;
    }
  }
  return out;
}

/** Equal trees; false while a tree is changing under the walk. */
export async function sameTrees(a: TestPeer, b: TestPeer): Promise<boolean> {
  try {
    return JSON.stringify(await treeOf(a.shareDir)) === JSON.stringify(await treeOf(b.shareDir));
  } catch {
    return false;
  }
}

export async function cleanup(root: string, peers: TestPeer[]): Promise<void> {
  for (const p of peers) {
    p.set.closeAll('test done');
    p.index.close();
  }
  await rm(root, { recursive: true, force: true });
}
