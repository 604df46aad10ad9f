/**
 * A full scan must not keep a structure with every path of the share (issue 10:
 * "nothing holds a whole local index in memory"): what is gone is found folder
 * by folder against the index in path order. These tests check both halves:
 * what the run holds stays at one folder's size, and what it finds gone is
 * exactly what is gone, in the awkward orders of a path-sorted index.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { scanFixtureEach } from '../helpers/scan-fixture.js';

describe('scanner memory', () => {
  const fixture = scanFixtureEach('leftsync-scanmem-');
  const live = () => fixture().index.all().filter((e) => !e.deleted).map((e) => e.path);

  it('a full scan over 3,000 files in 30 folders holds about one folder of paths, not the share', { timeout: 60_000 }, async () => {
    const { share, scanner } = fixture();
    for (let d = 0; d < 30; d++) {
      await mkdir(path.join(share, `d${d}`));
      await Promise.all(Array.from({ length: 100 }, (_, f) => writeFile(path.join(share, `d${d}`, `f${f}`), `${d}/${f}`)));
    }
    const first = await scanner.scanAll();
    assert.equal(first.changedCount, 3030);
    const again = await scanner.scanAll();
    assert.equal(again.unchanged, 3030);
    // A folder's 100 names plus the 30 of the root it sits in; before, every path (3,030).
    for (const result of [first, again]) assert.ok(result.heldPaths <= 130, `held ${result.heldPaths} paths`);
    await unlink(path.join(share, 'd7', 'f3'));
    await rm(path.join(share, 'd9'), { recursive: true });
    const gone = await scanner.scanAll();
    assert.deepEqual(gone.changed.map((e) => e.path).sort(), ['d7/f3', 'd9', ...Array.from({ length: 100 }, (_, f) => `d9/f${f}`)].sort());
    assert.ok(gone.changed.every((e) => e.deleted));
    assert.ok(gone.heldPaths <= 130, `held ${gone.heldPaths} paths`);
  });

  it('finds exactly what is gone among neighbours that sort between a folder and its contents', async () => {
    const { share, scanner, put } = fixture();
    // Index order: c, c-x, c-x/in, c.y, c/a, c/b/deep, c0 (the walk's order differs).
    for (const rel of ['c/a', 'c/b/deep', 'c-x/in', 'c.y', 'c0', 'keep/k']) await put(rel, rel);
    await scanner.scanAll();
    await unlink(path.join(share, 'c/b/deep'));
    await rm(path.join(share, 'c-x'), { recursive: true });
    await unlink(path.join(share, 'c0'));
    const result = await scanner.scanAll();
    assert.deepEqual(result.changed.map((e) => e.path), ['c/b/deep', 'c0', 'c-x/in', 'c-x'].sort().reverse());
    assert.deepEqual(live(), ['c', 'c.y', 'c/a', 'c/b', 'keep', 'keep/k']);
  });

  it('a folder that became a file or a link loses everything the index had below it', async () => {
    const { share, index, scanner, put } = fixture();
    for (const rel of ['was-dir/a', 'was-dir/sub/b', 'was-dir2/c', 'other']) await put(rel, rel);
    await scanner.scanAll();
    await rm(path.join(share, 'was-dir'), { recursive: true });
    await writeFile(path.join(share, 'was-dir'), 'now a file');
    await rm(path.join(share, 'was-dir2'), { recursive: true });
    await symlink('other', path.join(share, 'was-dir2'));
    await scanner.scanAll();
    assert.deepEqual(live(), ['other', 'was-dir', 'was-dir2']);
    assert.equal(index.get('was-dir')!.type, 'file');
    assert.equal(index.get('was-dir2')!.type, 'symlink');
  });

  it('an ignored folder is not scanned and not declared deleted', async () => {
    const { share, scanner, put } = fixture();
    for (const rel of ['build/out.o', 'src/main.c']) await put(rel, rel);
    await scanner.scanAll();
    await writeFile(path.join(share, '.leftsyncignore'), 'build/\n');
    const result = await scanner.scanAll();
    assert.deepEqual(result.changed.map((e) => e.path), ['.leftsyncignore']);
    assert.ok(live().includes('build/out.o'));
  });
});
