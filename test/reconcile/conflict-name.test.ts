import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conflictName, conflictStamp } from '../../src/reconcile/conflict-name.js';

const MTIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678); // 2026-01-02 03:04:05.678 UTC
const PEER = '0123456789abcdef';

const cases: Array<[string, string]> = [
  ['report.txt', 'report.sync-conflict-20260102-030405-0123456.txt'],
  ['a/b/c/report.txt', 'a/b/c/report.sync-conflict-20260102-030405-0123456.txt'],
  ['Makefile', 'Makefile.sync-conflict-20260102-030405-0123456'],
  ['dir.d/Makefile', 'dir.d/Makefile.sync-conflict-20260102-030405-0123456'],
  ['.bashrc', '.bashrc.sync-conflict-20260102-030405-0123456'],
  ['conf/.env.local', 'conf/.env.sync-conflict-20260102-030405-0123456.local'],
  ['archive.tar.gz', 'archive.tar.sync-conflict-20260102-030405-0123456.gz'],
  ['trailing.', 'trailing..sync-conflict-20260102-030405-0123456'],
  ['ünïcødé/日本.md', 'ünïcødé/日本.sync-conflict-20260102-030405-0123456.md'],
];

for (const [input, expected] of cases) {
  test(`conflictName(${JSON.stringify(input)})`, () => {
    assert.equal(conflictName(input, MTIME, PEER), expected);
  });
}

test('conflict stamp is UTC and zero-padded', () => {
  assert.equal(conflictStamp(Date.UTC(1999, 11, 31, 23, 59, 59, 999)), '19991231-235959');
  assert.equal(conflictStamp(0), '19700101-000000');
});

test('short peer ids shorter than 7 chars are kept whole', () => {
  assert.equal(conflictName('x.txt', 0, 'ab'), 'x.sync-conflict-19700101-000000-ab.txt');
});
