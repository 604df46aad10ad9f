import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appliedVersion, bumpedVersion, compareVersions, knownVersion, mergeVersions, supersededAfter } from '../../src/model/version.js';

test('compareVersions covers all four orders', () => {
  assert.equal(compareVersions({}, {}), 'equal');
  assert.equal(compareVersions({ a: 1 }, { a: 1, b: 0 }), 'equal');
  assert.equal(compareVersions({ a: 2 }, { a: 1 }), 'greater');
  assert.equal(compareVersions({ a: 1 }, { a: 1, b: 1 }), 'lesser');
  assert.equal(compareVersions({ a: 2 }, { a: 1, b: 1 }), 'concurrent');
});

test('mergeVersions takes the component-wise maximum', () => {
  assert.deepEqual(mergeVersions({ a: 2, b: 1 }, { b: 3, c: 1 }), { a: 2, b: 3, c: 1 });
});

test('appliedVersion: the remote vector while the index holds what the decision replaced, else the union', () => {
  const rows: Array<{ description: string; remote: Record<string, number>; stored: Record<string, number> | undefined; decidedOn: Record<string, number> | undefined; expected: Record<string, number> }> = [
    { description: 'nothing stored', remote: { a: 1 }, stored: undefined, decidedOn: {}, expected: { a: 1 } },
    { description: 'an older version replaced', remote: { a: 2, b: 1 }, stored: { a: 1 }, decidedOn: { a: 1 }, expected: { a: 2, b: 1 } },
    // B's edit {a:1,b:1} lost to A's {a:2}; the conflict rename left a tombstone {a:1,b:2}.
    { description: 'a lost conflict: the loser\'s counters do not stay', remote: { a: 2 }, stored: { a: 1, b: 2 }, decidedOn: { a: 1, b: 2 }, expected: { a: 2 } },
    { description: 'a lost deletion: its counter does not stay', remote: { a: 2 }, stored: { a: 1, b: 1 }, decidedOn: { a: 1, b: 1 }, expected: { a: 2 } },
    { description: 'a local change recorded since the decision keeps its counter', remote: { a: 2 }, stored: { a: 1, b: 3 }, decidedOn: { a: 1, b: 2 }, expected: { a: 2, b: 3 } },
    { description: 'an entry recorded where there was none is unioned', remote: { a: 2 }, stored: { b: 1 }, decidedOn: {}, expected: { a: 2, b: 1 } },
    { description: 'caller cannot say what it replaced: union', remote: { a: 2 }, stored: { a: 1, b: 1 }, decidedOn: undefined, expected: { a: 2, b: 1 } },
  ];
  for (const row of rows) {
    assert.deepEqual(appliedVersion(row.remote, row.stored, row.decidedOn), row.expected, row.description);
  }
});

test('after a lost conflict is recorded, the winner\'s later deletion dominates it', () => {
  // Three peers: B's edit lost to A's; A then deleted the file before seeing B's resolution.
  const winner = { a: 2 };
  const conflictRenameTombstone = { a: 1, b: 2 };
  const resolved = appliedVersion(winner, conflictRenameTombstone, conflictRenameTombstone);
  const deletionByWinner = { a: 3 };
  assert.equal(compareVersions(deletionByWinner, resolved), 'greater');
  assert.equal(compareVersions(resolved, winner), 'equal');
});

test('bumpedVersion: our counter past every announced value of it, others untouched', () => {
  assert.deepEqual(bumpedVersion(undefined, 'a'), { a: 1 });
  assert.deepEqual(bumpedVersion({ a: 2, b: 1 }, 'a'), { a: 3, b: 1 });
  assert.deepEqual(bumpedVersion({ a: 2, b: 1 }, 'a', [{ a: 1 }, { b: 5 }]), { a: 3, b: 1 }, 'ours is already the highest');
  // The winner's entry after a lost conflict has no counter of ours; a peer merged our old 2.
  const next = bumpedVersion({ b: 2 }, 'a', [{ a: 2, b: 3 }]);
  assert.deepEqual(next, { a: 3, b: 2 });
  assert.equal(compareVersions(next, { a: 2, b: 3 }), 'concurrent', 'not dominated by what that peer holds');
});

test('supersededAfter keeps what an entry stood for only while the next version does not dominate it', () => {
  // A lost conflict: ours {a: 2} replaced by the winner's own {a: 1, c: 1}.
  const lost = supersededAfter({ version: { a: 2 } }, { a: 1, c: 1 });
  assert.deepEqual(lost, { a: 2, c: 1 });
  assert.deepEqual(knownVersion({ version: { a: 1, c: 1 }, superseded: lost }), { a: 2, c: 1 });
  assert.equal(supersededAfter({ version: { a: 1, c: 1 }, superseded: lost }, { a: 1, c: 2 })?.a, 2, 'kept through a later pull');
  assert.equal(supersededAfter({ version: { a: 1, c: 1 }, superseded: lost }, { a: 3, c: 1 }), undefined, 'gone once a version dominates it');
  assert.equal(supersededAfter({ version: { a: 1 } }, { a: 2 }), undefined, 'a plain newer version supersedes nothing to remember');
  assert.equal(supersededAfter(undefined, { a: 1 }), undefined);
});
