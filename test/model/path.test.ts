import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkRelativePath } from '../../src/fs/paths.js';
import { pathProblem } from '../../src/model/path.js';

test('path syntax: one rule for the wire and the disk', () => {
  const table: Array<[string, boolean]> = [
    ['a', true],
    ['a/b/c.txt', true],
    ['.hidden/x', true],
    ['a..b', true],
    ['été/日本.txt', true],
    ['', false],
    ['/a', false],
    ['a/', false],
    ['a//b', false],
    ['.', false],
    ['..', false],
    ['a/./b', false],
    ['a/../b', false],
    ['../a', false],
    ['a\0b', false],
    ['a\\b', false],
    ['C:/x', false],
    ['c:x', false],
    ['x'.repeat(256), false],
    [('d/').repeat(2048) + 'f', false],
  ];
  for (const [path, ok] of table) {
    assert.equal(pathProblem(path) === null, ok, `path ${JSON.stringify(path.slice(0, 40))}`);
  }
});

test('src/fs refuses exactly the paths the rule refuses', () => {
  for (const path of ['a/b', 'a\\b', 'C:/x', 'x'.repeat(256), 'a//b', '..']) {
    const refused = (() => {
      try {
        checkRelativePath(path);
        return false;
      } catch {
        return true;
      }
    })();
    assert.equal(refused, pathProblem(path) !== null, path);
  }
});
