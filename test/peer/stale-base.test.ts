/**
 * Regression tests for a convergence bug: a remote version applied on top of a
 * local change that the scanner recorded while the apply was under way (after
 * the decision, before the record). The record used the version read when the
 * decision was made, so our own counter went backwards; the next local change
 * reused a counter value already announced for other content, and two peers
 * ended with equal version vectors for different content (never reconciled).
 * The hooks below run that scan at the worst moment: just before the apply's
 * change-then-record step, as a scan queued ahead of it would.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { IndexEntry } from '../../src/model/entries.js';
import type { Session } from '../../src/peer/session-types.js';
import { compareVersions } from '../../src/model/version.js';
import { createMemoryPair } from '../../src/transport/memory.js';
import { link, peersFor, sameTrees, sessionFor, treeOf, unlink, waitFor, type TestPeer } from './harness.js';

async function converge(a: TestPeer, b: TestPeer, sessions: Session[], what: string): Promise<void> {
  await waitFor(what, () => sameTrees(a, b));
  await Promise.all(sessions.map((s) => s.whenIdle()));
  assert.deepEqual(await treeOf(a.shareDir), await treeOf(b.shareDir), what);
}

/**
 * Links A (whose first scan-paused step is preceded by `beforeFirstStep`) with B.
 * A's session is not in A's session set, so the hook announces A's scan itself.
 */
function linkWithHook(a: TestPeer, b: TestPeer, beforeFirstStep: () => Promise<void>): Session[] {
  const [ab, ba] = createMemoryPair(a.id, b.id);
  let fired = false;
  let sessionA: Session | undefined;
  sessionA = sessionFor(a, ab, {
    scanLock: {
      exclusive: async (step) => {
        if (!fired) {
          fired = true;
          await beforeFirstStep();
          sessionA?.announce();
        }
        return a.scanLock.exclusive(step);
      },
    },
  });
  return [sessionA, sessionFor(b, ba)];
}

/** Both indexes hold the same version and presence for `relPath`. */
function assertSameEntry(a: TestPeer, b: TestPeer, relPath: string): void {
  const ea = a.index.get(relPath);
  const eb = b.index.get(relPath);
  assert.ok(ea && eb, `${relPath} indexed on both`);
  assert.equal(compareVersions(ea.version, eb.version), 'equal', `${relPath}: ${JSON.stringify(ea.version)} vs ${JSON.stringify(eb.version)}`);
  assert.equal(ea.deleted, eb.deleted);
  assert.ok(ea.digest.equals(eb.digest));
}

test('a local change recorded while a remote version is pulled is not erased from the version vector', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'stale-pull', ['peer-a', 'peer-b']);
  const file = 'f.txt';
  await writeFile(path.join(a.shareDir, file), 'base\n');
  await a.scan();
  link(a, b);
  await waitFor('base on B', () => sameTrees(a, b));
  await Promise.all([...a.sessions, ...b.sessions].map((s) => s.whenIdle()));
  unlink(a, b);

  await writeFile(path.join(b.shareDir, file), 'edited on B\n');
  await b.scan();
  // A mode change keeps size, mtime and inode: the pull's on-disk check still passes.
  await chmod(path.join(a.shareDir, file), 0o600);
  let scanned: IndexEntry | undefined;
  const sessions = linkWithHook(a, b, async () => {
    await a.scan([file]);
    scanned = a.index.get(file);
  });
  await converge(a, b, sessions, 'B edit on A');
  assert.equal(await readFile(path.join(a.shareDir, file), 'utf8'), 'edited on B\n');
  assert.ok(scanned, 'the scan ran before the commit');
  assert.equal(scanned.version['peer-a'], 2, 'the scan recorded the mode change');
  const applied = a.index.get(file)!;
  assert.ok(
    ['greater', 'equal'].includes(compareVersions(applied.version, scanned.version)),
    `applied ${JSON.stringify(applied.version)} must dominate the scanned ${JSON.stringify(scanned.version)}`,
  );

  // A local deletion afterwards gets a counter never used before, and reaches B.
  await rm(path.join(a.shareDir, file));
  await a.scan([file]);
  sessions[0]!.announce();
  await converge(a, b, sessions, 'deletion on B');
  assertSameEntry(a, b, file);
  assert.equal(b.index.get(file)!.deleted, true);
});

test('a file re-created while a remote deletion waits to be applied survives and reaches the peer', async (t) => {
  const { peers: [a, b] } = await peersFor(t, 'stale-delete', ['peer-a', 'peer-b']);
  const file = 'g.txt';
  await writeFile(path.join(a.shareDir, file), 'first\n');
  await a.scan();
  link(a, b);
  await waitFor('first on B', () => sameTrees(a, b));
  await rm(path.join(a.shareDir, file));
  await a.scan();
  await waitFor('deleted on B', () => sameTrees(a, b));
  await Promise.all([...a.sessions, ...b.sessions].map((s) => s.whenIdle()));
  unlink(a, b);

  // B brings the file back and deletes it again: a newer tombstone for A to record.
  await writeFile(path.join(b.shareDir, file), 'briefly on B\n');
  await b.scan();
  await rm(path.join(b.shareDir, file));
  await b.scan();
  const sessions = linkWithHook(a, b, async () => {
    // The user re-creates the file on A; a scan records it before the tombstone step runs.
    await writeFile(path.join(a.shareDir, file), 'recreated on A\n');
    await a.scan([file]);
  });
  await waitFor('re-created file on B', async () => (await treeOf(b.shareDir))[file] !== undefined);
  await converge(a, b, sessions, 're-created file on both');
  assert.equal(await readFile(path.join(b.shareDir, file), 'utf8'), 'recreated on A\n');
  assertSameEntry(a, b, file);
  assert.equal(a.index.get(file)!.deleted, false, "A's index knows the file it has");
});
