import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareVersions, mergeVersions } from '../../src/model/version.js';

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
