/**
 * Regenerates the fixture outputs and compares them with the committed golden
 * files. A failure here means chunk boundaries or diffs changed: if intended,
 * run `npm run fixtures -- --update` and review the diff of fixtures/golden/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ENGINES } from '../../src/chunker/params.js';
import { BASES, EDIT_CASES } from '../../fixtures/cases.js';
import { computeGolden, readGolden } from '../../fixtures/golden.js';

for (const engine of ENGINES) {
  test(`${engine}: fixtures match fixtures/golden/${engine}/golden.json`, { timeout: 120_000 }, async () => {
    const expected = await readGolden(engine);
    const actual = await computeGolden(engine);
    assert.equal(actual.bases.length, BASES.length);
    assert.equal(actual.edits.length, EDIT_CASES.length);
    assert.deepEqual(actual.params, expected.params);
    for (const base of actual.bases) {
      assert.deepEqual(base, expected.bases.find((b) => b.name === base.name), `base ${base.name}`);
    }
    for (const edit of actual.edits) {
      assert.deepEqual(edit, expected.edits.find((e) => e.name === edit.name), `edit ${edit.name}`);
    }
  });
}

test('golden diffs show the expected resynchronisation on the default engine', async () => {
  const golden = await readGolden('fastcdc');
  const edit = (name: string) => golden.edits.find((e) => e.name === name)!;
  assert.equal(edit('identical').bytesMissing, 0);
  assert.equal(edit('empty-identical').bytesMissing, 0);
  assert.equal(edit('to-empty').bytesMissing, 0);
  assert.equal(edit('from-empty').bytesMissing, 1 << 20);
  for (const name of ['insert-start', 'insert-middle', 'insert-end', 'delete-range', 'truncate', 'two-distant-edits']) {
    assert.ok(edit(name).chunksNew <= 2, `${name}: ${edit(name).chunksNew} new chunks`);
  }
  // Text compresses: LZ4 must shrink what is sent.
  assert.ok(edit('text-insert-middle').bytesLz4 < edit('text-insert-middle').bytesMissing);
  // 9 bytes changed in 64 MiB: one chunk goes, the zero chunks are all reused.
  assert.equal(edit('zeros-overwrite-9').chunksNew, 1);
});
