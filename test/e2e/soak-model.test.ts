/**
 * The soak's rule of what must survive (test/helpers/share-model.ts), on hand-made
 * trees: a replacement erases only what its peer had seen, concurrent versions
 * must all be kept (at the path or a conflict copy, a folder's copy carrying its
 * subtree), and a deleted or overwritten version that comes back is reported.
 * Pure: no processes (it lives here because it checks the soak's oracle).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShareModel } from '../helpers/share-model.js';

const f = (hex: string) => `file:${hex.repeat(64 / hex.length)}`;
const tv = (hex: string) => `${f(hex)}:644`;

test('model: an edit erases the version its peer saw; a concurrent edit must survive as a conflict copy', () => {
  const model = new ShareModel();
  model.replace('a.txt', null, f('1'));
  model.replace('a.txt', f('1'), f('2')); // peer A saw 1, wrote 2
  model.replace('a.txt', f('1'), f('3')); // peer B, apart, also saw 1, wrote 3
  assert.deepEqual(model.check({ 'a.txt': tv('3') }).lost.length, 1, 'version 2 is missing');
  const kept = model.check({ 'a.txt': tv('3'), 'a.sync-conflict-20261201-080000-abcdef0.txt': tv('2') });
  assert.deepEqual([kept.lost, kept.unexpected], [[], []]);
});

test('model: a deletion by a peer that had not seen the latest version does not erase it; one that had, does', () => {
  const model = new ShareModel();
  model.replace('b', null, f('1'));
  model.replace('b', f('1'), f('2'));
  model.replace('b', f('1'), null); // deleted by a peer still showing 1
  assert.deepEqual(model.check({}).lost.length, 1);
  assert.deepEqual(model.check({ b: tv('2') }).lost, []);
  model.replace('b', f('2'), null);
  assert.deepEqual(model.check({}).lost, []);
  assert.equal(model.check({ b: tv('2') }).unexpected.length, 1, 'a deleted file that comes back is reported');
  assert.equal(model.check({ b: tv('1') }).unexpected.length, 1, 'an overwritten version that wins again is reported');
});

test('model: a folder that lost a conflict carries its subtree; a folder is expected where something inside must be', () => {
  const model = new ShareModel();
  model.replace('d', null, 'dir');
  model.replace('d/x', null, f('4'));
  model.replace('d', 'dir', f('5')); // one peer: the folder becomes a file (it saw d, not d/x)
  const tree = { d: tv('5'), 'd.sync-conflict-20261201-080000-abcdef0': 'dir:755', 'd.sync-conflict-20261201-080000-abcdef0/x': tv('4') };
  assert.deepEqual(model.check(tree), { lost: [], unexpected: [], expected: 2 });
  const stillFolder = model.check({ d: 'dir:755', 'd/x': tv('4') });
  assert.equal(stillFolder.lost.length, 1, 'the file version of d is missing');
  assert.deepEqual(stillFolder.unexpected, [], 'd is a folder because d/x must be there');
});

test('model: a conflict copy inside a folder stands for its original when the folder moves', () => {
  const model = new ShareModel();
  model.replace('d/a.txt', null, f('6'));
  const copy = 'd/a.sync-conflict-20261201-080000-abcdef0.txt';
  assert.equal(model.originalOf(copy, f('6')), 'd/a.txt');
  assert.equal(model.originalOf(copy, f('7')), null);
  assert.equal(model.originalOf('e/a.sync-conflict-20261201-080000-abcdef0.txt', f('6')), null);
});

test('model: a folder removed by a peer may remain (empty) only if something was put inside it afterwards', () => {
  const model = new ShareModel();
  model.replace('d', null, 'dir');
  model.replace('d', 'dir', null); // removed by a peer that saw it
  assert.equal(model.check({ d: 'dir:755' }).unexpected.length, 1, 'a removed folder that comes back is reported');
  model.replace('d/e/new', null, f('8')); // a peer that had not seen the removal creates inside
  model.replace('d/e/new', f('8'), null); // later removed by one that saw it
  assert.deepEqual(model.check({ d: 'dir:755', 'd/e': 'dir:755' }).unexpected, []);
  assert.deepEqual(model.check({}).lost, [], 'and it need not remain');
});

test('model: a folder removed by a peer that had not received what another put inside may remain, even once that is deleted', () => {
  // The 3-peer soak (seed 20261201): B created d/b at 21.4 s; C, not having it yet,
  // removed d at 22.7 s listing d and d/a; d/b then arrived at C and brought d back.
  const removal = (model: ShareModel, listed: Array<[string, string]>): void => {
    for (const [p, content] of listed) model.replace(p, content, null);
    model.folderLeft('d', listed);
  };
  const unseen = new ShareModel();
  unseen.replace('d', null, 'dir');
  unseen.replace('d/a', null, f('1'));
  unseen.replace('d/b', null, f('2'));
  removal(unseen, [['d/a', f('1')], ['d', 'dir']]);
  unseen.replace('d/b', f('2'), null); // later deleted by a peer that had it
  assert.deepEqual(unseen.check({ d: 'dir:755' }).unexpected, []);
  assert.deepEqual(unseen.check({}).unexpected, [], 'and it need not remain');

  const seenAll = new ShareModel();
  seenAll.replace('d', null, 'dir');
  seenAll.replace('d/sub/b', null, f('2'));
  removal(seenAll, [['d/sub/b', f('2')], ['d/sub', 'dir'], ['d', 'dir']]);
  assert.equal(seenAll.check({ d: 'dir:755' }).unexpected.length, 1, 'a folder whose remover saw all inside it must not come back');
  assert.equal(seenAll.check({ d: 'dir:755', 'd/sub': 'dir:755' }).unexpected.length, 2, 'nor a folder inside it');
});

test('model: the same content put by two peers apart, then removed by a third that saw one of them, may remain', () => {
  // The soak (seed 20261201): C and B each made a folder of rA26.txt while cut off
  // from each other; A removed the one it had received. C's folder is concurrent
  // with that removal and comes back; nothing tells the model which folder A saw.
  const model = new ShareModel();
  model.replace('r', null, f('8'));
  model.replace('r', f('8'), 'dir'); // C, apart
  model.replace('r', f('8'), 'dir'); // B, apart
  model.replace('r', 'dir', null); // A, which had received one of them
  assert.deepEqual(model.check({ r: 'dir:755' }).unexpected, [], 'the folder A had not seen may come back');
  assert.deepEqual(model.check({}), { lost: [], unexpected: [], expected: 0 }, 'or both may be gone, if A saw them merged');
  // Put by one peer only, the removal that saw it erases it.
  const once = new ShareModel();
  once.replace('s', null, 'dir');
  once.replace('s', 'dir', null);
  assert.equal(once.check({ s: 'dir:755' }).unexpected.length, 1);
});
