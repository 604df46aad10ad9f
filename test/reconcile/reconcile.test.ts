import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IndexEntry } from '../../src/model/entries.js';
import { reconcile, wouldAct, type BelowFolder, type Decision } from '../../src/reconcile/reconcile.js';
import { appliedVersion, mergeVersions } from '../../src/model/version.js';

const T0 = Date.UTC(2026, 10, 28, 9, 30, 5); // 2026-11-28 09:30:05 UTC
const ALICE = 'aaaaaaaaaaaaaaaa';
const BOB = 'bbbbbbbbbbbbbbbb';

function entry(over: Partial<IndexEntry> = {}): IndexEntry {
  return {
    path: 'docs/report.txt',
    type: 'file',
    size: 5,
    mtimeMs: T0,
    mode: 0o644,
    digest: Buffer.alloc(32, 1),
    symlinkTarget: '',
    inode: 0,
    version: { [ALICE]: 1 },
    deleted: false,
    sequence: 1,
    modifiedBy: ALICE,
    ...over,
  };
}
const tomb = (over: Partial<IndexEntry> = {}) => entry({ deleted: true, size: 0, digest: Buffer.alloc(0), ...over });

interface Row {
  description: string;
  local: IndexEntry | undefined;
  remote: IndexEntry;
  /** Entries below a local folder, beside the remote's entry for each (only read when a file or link replaces it). */
  below?: BelowFolder[];
  expected: Partial<Decision> & { action: Decision['action'] };
}

const folder = (over: Partial<IndexEntry> = {}) => entry({ path: 'D', type: 'dir', size: 0, digest: Buffer.alloc(0), ...over });
const inD = (name: string, over: Partial<IndexEntry> = {}) => entry({ path: `D/${name}`, ...over });

const rows: Row[] = [
  { description: 'new remote file', local: undefined, remote: entry(), expected: { action: 'pull', order: 'absent' } },
  { description: 'new remote dir', local: undefined, remote: entry({ type: 'dir', size: 0 }), expected: { action: 'mkdir' } },
  { description: 'new remote symlink', local: undefined, remote: entry({ type: 'symlink', symlinkTarget: 'x' }), expected: { action: 'symlink' } },
  { description: 'tombstone of a path we never had', local: undefined, remote: tomb(), expected: { action: 'none', order: 'absent' } },
  { description: 'same version', local: entry(), remote: entry(), expected: { action: 'none', order: 'equal' } },
  {
    description: 'local dominates',
    local: entry({ version: { [ALICE]: 2 } }),
    remote: entry({ version: { [ALICE]: 1 } }),
    expected: { action: 'none', order: 'greater' },
  },
  {
    description: 'remote modification dominates',
    local: entry({ version: { [ALICE]: 1 } }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, digest: Buffer.alloc(32, 2), modifiedBy: BOB }),
    expected: { action: 'pull', order: 'lesser' },
  },
  {
    description: 'remote metadata-only change dominates (same digest) still applied',
    local: entry(),
    remote: entry({ version: { [ALICE]: 2 }, mode: 0o755 }),
    expected: { action: 'pull', order: 'lesser' },
  },
  {
    description: 'remote deletion dominates',
    local: entry(),
    remote: tomb({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB }),
    expected: { action: 'delete', order: 'lesser' },
  },
  {
    description: 'newer tombstone over our tombstone is recorded',
    local: tomb(),
    remote: tomb({ version: { [ALICE]: 2 } }),
    expected: { action: 'delete', order: 'lesser' },
  },
  {
    description: 'dominating re-creation after our deletion',
    local: tomb({ version: { [ALICE]: 2 } }),
    remote: entry({ version: { [ALICE]: 2, [BOB]: 1 }, modifiedBy: BOB }),
    expected: { action: 'pull', order: 'lesser' },
  },
  {
    description: 'stale remote file does not undo our deletion',
    local: tomb({ version: { [ALICE]: 2 } }),
    remote: entry({ version: { [ALICE]: 1 } }),
    expected: { action: 'none', order: 'greater' },
  },
  {
    description: 'remote dir dominates',
    local: entry({ type: 'dir', size: 0, digest: Buffer.alloc(0) }),
    remote: entry({ type: 'dir', size: 0, digest: Buffer.alloc(0), mode: 0o700, version: { [ALICE]: 2 } }),
    expected: { action: 'mkdir', order: 'lesser' },
  },
  {
    description: 'concurrent, identical content: merge versions',
    local: entry({ version: { [ALICE]: 2 } }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB, mtimeMs: T0 + 5000 }),
    expected: { action: 'merge', order: 'concurrent', version: { [ALICE]: 2, [BOB]: 1 } } as Partial<Decision> & { action: 'merge' },
  },
  {
    description: 'concurrent deletions: merge',
    local: tomb({ version: { [ALICE]: 2 } }),
    remote: tomb({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB }),
    expected: { action: 'merge', order: 'concurrent' },
  },
  {
    description: 'concurrent dirs: merge',
    local: entry({ type: 'dir', size: 0, digest: Buffer.alloc(0), version: { [ALICE]: 2 } }),
    remote: entry({ type: 'dir', size: 0, digest: Buffer.alloc(0), version: { [ALICE]: 1, [BOB]: 1 } }),
    expected: { action: 'merge', order: 'concurrent' },
  },
  {
    description: 'concurrent edits, remote newer: local loses, becomes conflict copy',
    local: entry({ version: { [ALICE]: 2 }, digest: Buffer.alloc(32, 3) }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB, mtimeMs: T0 + 1000, digest: Buffer.alloc(32, 4) }),
    expected: {
      action: 'conflict',
      order: 'concurrent',
      conflictPath: 'docs/report.sync-conflict-20261128-093005-aaaaaaa.txt',
      then: 'pull',
    },
  },
  {
    description: 'concurrent edits, local newer: local wins, nothing to do',
    local: entry({ version: { [ALICE]: 2 }, digest: Buffer.alloc(32, 3), mtimeMs: T0 + 1000 }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB, digest: Buffer.alloc(32, 4) }),
    expected: { action: 'none', order: 'concurrent' },
  },
  {
    description: 'concurrent edits, same mtime: larger modifiedBy wins (remote)',
    local: entry({ version: { [ALICE]: 2 }, digest: Buffer.alloc(32, 3) }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB, digest: Buffer.alloc(32, 4) }),
    expected: { action: 'conflict', conflictPath: 'docs/report.sync-conflict-20261128-093005-aaaaaaa.txt' },
  },
  {
    description: 'concurrent edits, same mtime: larger modifiedBy wins (local)',
    local: entry({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB, digest: Buffer.alloc(32, 4) }),
    remote: entry({ version: { [ALICE]: 2 }, digest: Buffer.alloc(32, 3) }),
    expected: { action: 'none', order: 'concurrent' },
  },
  {
    description: 'concurrent edits, same mtime and author: larger digest wins',
    local: entry({ version: { [ALICE]: 2 }, digest: Buffer.alloc(32, 3) }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, digest: Buffer.alloc(32, 9) }),
    expected: { action: 'conflict', then: 'pull' },
  },
  {
    description: 'modify (remote) vs delete (local): modification wins, no conflict copy',
    local: tomb({ version: { [ALICE]: 2 }, mtimeMs: T0 + 9000 }),
    remote: entry({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB }),
    expected: { action: 'pull', order: 'concurrent' },
  },
  {
    description: 'modify (local) vs delete (remote): modification wins, keep ours',
    local: entry({ version: { [ALICE]: 2 } }),
    remote: tomb({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB, mtimeMs: T0 + 9000 }),
    expected: { action: 'none', order: 'concurrent' },
  },
  {
    description: 'type conflict: remote symlink newer than local file',
    local: entry({ version: { [ALICE]: 2 } }),
    remote: entry({ type: 'symlink', symlinkTarget: 't', size: 0, digest: Buffer.alloc(0), version: { [BOB]: 1 }, mtimeMs: T0 + 1 }),
    expected: { action: 'conflict', then: 'symlink' },
  },
  {
    description: 'type conflict: remote dir newer than local file',
    local: entry({ version: { [ALICE]: 2 } }),
    remote: entry({ type: 'dir', size: 0, digest: Buffer.alloc(0), version: { [BOB]: 1 }, mtimeMs: T0 + 1 }),
    expected: { action: 'conflict', then: 'mkdir' },
  },
  {
    description: 'concurrent symlinks to different targets',
    local: entry({ type: 'symlink', symlinkTarget: 'a', size: 0, digest: Buffer.alloc(0), version: { [ALICE]: 2 } }),
    remote: entry({ type: 'symlink', symlinkTarget: 'b', size: 0, digest: Buffer.alloc(0), version: { [BOB]: 1 }, mtimeMs: T0 + 1 }),
    expected: { action: 'conflict', then: 'symlink' },
  },
  {
    description: 'concurrent folder and file: the folder wins (the file side keeps its file as a copy)',
    local: folder({ version: { [ALICE]: 1, [BOB]: 1 } }),
    remote: entry({ path: 'D', version: { [ALICE]: 2 }, mtimeMs: T0 + 9000 }),
    expected: { action: 'none', order: 'concurrent' },
  },
  {
    description: 'concurrent file and folder: the file loses to the folder, whatever the mtimes',
    local: entry({ path: 'D', version: { [ALICE]: 2 }, mtimeMs: T0 + 9000 }),
    remote: folder({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB }),
    expected: { action: 'conflict', order: 'concurrent', conflictPath: 'D.sync-conflict-20261128-093014-aaaaaaa', then: 'mkdir' },
  },
  {
    description: 'concurrent link and folder: the link loses to the folder',
    local: entry({ path: 'D', type: 'symlink', symlinkTarget: 't', size: 0, digest: Buffer.alloc(0), version: { [ALICE]: 2 }, mtimeMs: T0 + 9000 }),
    remote: folder({ version: { [ALICE]: 1, [BOB]: 1 }, modifiedBy: BOB }),
    expected: { action: 'conflict', then: 'mkdir' },
  },
  {
    description: 'a file replaces our folder, everything in it seen by the remote: pull (the folder goes once empty)',
    local: folder(),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [{ local: inD('old.txt'), remote: inD('old.txt', { deleted: true, version: { [ALICE]: 2 } }) }],
    expected: { action: 'pull', order: 'lesser' },
  },
  {
    description: 'a file replaces our folder, the remote has our child\'s very version: pull',
    local: folder(),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [{ local: inD('old.txt'), remote: inD('old.txt') }],
    expected: { action: 'pull', order: 'lesser' },
  },
  {
    description: 'a file replaces our folder, our children already deleted: pull',
    local: folder(),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [{ local: inD('gone.txt', { deleted: true, version: { [BOB]: 1 } }), remote: undefined }],
    expected: { action: 'pull', order: 'lesser' },
  },
  {
    description: 'a file replaces our folder, which holds a child the remote never saw: keep the folder',
    local: folder(),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [
      { local: inD('old.txt'), remote: inD('old.txt', { deleted: true, version: { [ALICE]: 2 } }) },
      { local: inD('new.txt', { version: { [BOB]: 1 }, modifiedBy: BOB }), remote: undefined },
    ],
    expected: { action: 'keep-folder', order: 'lesser' },
  },
  {
    description: 'a file replaces our folder, which holds a newer edit of a child: keep the folder',
    local: folder(),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [{ local: inD('old.txt', { version: { [ALICE]: 1, [BOB]: 1 } }), remote: inD('old.txt') }],
    expected: { action: 'keep-folder', order: 'lesser' },
  },
  {
    description: 'a file replaces our folder, which holds an edit concurrent with the remote\'s deletion of it: keep the folder',
    local: folder(),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [{ local: inD('old.txt', { version: { [ALICE]: 1, [BOB]: 1 } }), remote: inD('old.txt', { deleted: true, version: { [ALICE]: 2 } }) }],
    expected: { action: 'keep-folder', order: 'lesser' },
  },
  {
    description: 'a link replaces our folder, which holds an empty subfolder the remote never saw: keep the folder',
    local: folder(),
    remote: entry({ path: 'D', type: 'symlink', symlinkTarget: 't', size: 0, digest: Buffer.alloc(0), version: { [ALICE]: 2 } }),
    below: [{ local: inD('sub', { type: 'dir', size: 0, digest: Buffer.alloc(0), version: { [BOB]: 1 } }), remote: undefined }],
    expected: { action: 'keep-folder', order: 'lesser' },
  },
  {
    description: 'a deletion of our folder with unseen content is not a keep-folder (the child recreates it remotely)',
    local: folder(),
    remote: tomb({ path: 'D', type: 'dir', version: { [ALICE]: 2 } }),
    below: [{ local: inD('new.txt', { version: { [BOB]: 1 } }), remote: undefined }],
    expected: { action: 'delete', order: 'lesser' },
  },
  {
    description: 'after keeping the folder (our counter bumped over our own version) it wins against the file',
    local: folder({ version: { [ALICE]: 1, [BOB]: 1 } }),
    remote: entry({ path: 'D', version: { [ALICE]: 2 } }),
    below: [{ local: inD('new.txt', { version: { [BOB]: 1 } }), remote: undefined }],
    expected: { action: 'none', order: 'concurrent' },
  },
  {
    // Bob's edit {A:1,B:1} lost to Alice's {A:2}; the conflict rename left a tombstone {A:1,B:2}.
    description: 'the loser\'s resolved entry is dominated by the winner\'s later deletion',
    local: entry({ version: appliedVersion({ [ALICE]: 2 }, { [ALICE]: 1, [BOB]: 2 }, { [ALICE]: 1, [BOB]: 2 }), modifiedBy: ALICE }),
    remote: tomb({ version: { [ALICE]: 3 } }),
    expected: { action: 'delete', order: 'lesser' },
  },
  {
    description: 'a union with the loser\'s counters would have been concurrent with that deletion (the bug): kept',
    local: entry({ version: mergeVersions({ [ALICE]: 2 }, { [ALICE]: 1, [BOB]: 2 }), modifiedBy: ALICE }),
    remote: tomb({ version: { [ALICE]: 3 } }),
    expected: { action: 'none', order: 'concurrent' },
  },
];

for (const row of rows) {
  test(`reconcile: ${row.description}`, () => {
    const decision = reconcile(row.local, row.remote, row.below);
    for (const [key, value] of Object.entries(row.expected)) {
      assert.deepEqual((decision as Record<string, unknown>)[key], value, `${key} of ${JSON.stringify(decision)}`);
    }
  });
}

test('reconcile: both sides of a conflict agree on who acts', () => {
  for (const row of rows.filter((r) => r.local && r.expected.order === 'concurrent')) {
    const mine = reconcile(row.local, row.remote);
    const theirs = reconcile(row.remote, row.local!);
    const acting = [mine, theirs].filter((d) => d.action !== 'none' && d.action !== 'merge');
    if (mine.action === 'merge') assert.equal(theirs.action, 'merge', row.description);
    else assert.equal(acting.length, 1, `exactly one side acts: ${row.description}`);
  }
});

test('wouldAct: acts exactly when reconcile does, reading the whole local entry only for concurrent versions', () => {
  type Pair = [IndexEntry | undefined, IndexEntry];
  const pairs = rows.flatMap((r): Pair[] => (r.local ? [[r.local, r.remote], [r.remote, r.local]] : [[undefined, r.remote]]));
  let concurrent = 0;
  for (const [local, remote] of pairs) {
    let read = false;
    const acts = wouldAct(local?.version, remote, () => ((read = true), local));
    const decision = reconcile(local, remote);
    assert.equal(acts, decision.action !== 'none', `${JSON.stringify(local?.version)} vs ${JSON.stringify(remote.version)}: ${decision.action}`);
    assert.equal(read, decision.order === 'concurrent', `whole entry read only when concurrent (${decision.order})`);
    if (read) concurrent++;
  }
  // The table has every order, concurrent ones with and without action.
  assert.ok(concurrent > 0 && pairs.some(([l]) => l === undefined) && pairs.length > 10);
});
