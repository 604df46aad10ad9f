import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createIgnoreMatcher } from '../../src/scanner/ignore.js';

test('the state folder stays ignored whatever .leftsyncignore says; other defaults can be brought back', async () => {
  const root = await mkdtemp(path.join(os.tmpdir(), 'leftsync-ignore-'));
  try {
    const share = path.join(root, 'share');
    const stateDir = path.join(share, 'state');
    await mkdir(stateDir, { recursive: true });
    await writeFile(path.join(share, '.leftsyncignore'), '!/state/\n!state/**\n!*.tmp\n');
    const matcher = await createIgnoreMatcher(share, stateDir);
    assert.equal(matcher.ignores('state', true), true);
    assert.equal(matcher.ignores('state/index.db', false), true);
    assert.equal(matcher.ignores('statefile', false), false, 'only the folder itself and what is below it');
    assert.equal(matcher.ignores('x.tmp', false), false, 'a user rule brings .tmp files back');

    const outside = await createIgnoreMatcher(share, path.join(root, 'elsewhere'));
    assert.equal(outside.ignores('state/index.db', false), false, 'a state folder outside the share hides nothing');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('asking about 200,000 distinct paths does not keep an answer for each (a peer may announce any number)', async () => {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const root = await mkdtemp(path.join(os.tmpdir(), 'leftsync-ignore-'));
  try {
    const share = path.join(root, 'share');
    await mkdir(share, { recursive: true });
    await writeFile(path.join(share, '.leftsyncignore'), 'build/\n*.o\n');
    const matcher = await createIgnoreMatcher(share, path.join(share, '.leftsync'));
    const ask = (from: number, to: number) => {
      let ignored = 0;
      for (let i = from; i < to; i++) if (matcher.ignores(`d${i % 1000}/sub/file-${i}.${i % 7 === 0 ? 'o' : 'txt'}`, false)) ignored++;
      return ignored;
    };
    ask(0, 20_000); // past any fixed cost (compiled rules, first pages of a cache)
    gc();
    const before = process.memoryUsage().heapUsed;
    let objects = 0;
    for (let i = 20_000; i < 220_000; i++) if (i % 7 === 0) objects++;
    assert.equal(ask(20_000, 220_000), objects, 'every *.o file ignored, nothing else');
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    // An answer per path held (the ignore library's cache and ours) is over 30 MB here.
    assert.ok(grown < 8e6, `heap grew by ${(grown / 1e6).toFixed(1)} MB`);
    assert.equal(matcher.ignores('build', true), true);
    assert.equal(matcher.ignores('build/x.txt', false), true);
    assert.equal(matcher.ignores('src/x.txt', false), false);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a share without rules of its own gets the same answers as the ignore library with the defaults', async () => {
  const { default: ignore } = await import('ignore');
  const { DEFAULT_IGNORES } = await import('../../src/scanner/ignore.js');
  const root = await mkdtemp(path.join(os.tmpdir(), 'leftsync-ignore-'));
  try {
    const share = path.join(root, 'share');
    await mkdir(share, { recursive: true });
    const matcher = await createIgnoreMatcher(share, path.join(root, 'state'));
    const library = ignore().add(DEFAULT_IGNORES);
    const names = ['a', 'x.swp', 'X.SWP', 'a.swo', 'b.swx', '4913', '49130', 'notes~', '~notes', '.#lock', 'a.#b', '.~lock.doc#', '.~lock.doc',
      '~$report.docx', 'report~$', 'a.tmp', 'a.tmp.txt', 'A.TMP', '.goutputstream-X1', '.DS_Store', '.ds_store', '._x', '_x', 'Thumbs.db',
      'desktop.ini', '.leftsync', '.LeftSync', '.leftsyncx', 'x.leftsync', 'a+b', 'a(b)', 'a[1]', 'a$', 'f.txt', 'two\nlines.tmp', 'x\n.swp', '~$\n'];
    const paths: string[] = [];
    for (const first of names) {
      paths.push(first);
      for (const second of ['f.txt', 'x.swp', '.leftsync']) paths.push(`${first}/${second}`, `d/${first}/${second}`);
    }
    let ignored = 0;
    for (const relPath of paths) {
      for (const isDir of [false, true]) {
        const expected = library.ignores(isDir ? `${relPath}/` : relPath);
        assert.equal(matcher.ignores(relPath, isDir), expected, `${relPath}${isDir ? '/' : ''}`);
        if (expected) ignored++;
      }
    }
    assert.ok(ignored > paths.length / 2 && ignored < paths.length * 2, `both answers were asked about (${ignored} of ${paths.length * 2} ignored)`);

    await writeFile(path.join(share, '.leftsyncignore'), '!*.tmp\n');
    assert.equal(await matcher.reload(), true);
    assert.equal(matcher.ignores('a.tmp', false), false, 'rules of its own: the library answers again');
    await writeFile(path.join(share, '.leftsyncignore'), '');
    await matcher.reload();
    assert.equal(matcher.ignores('a.tmp', false), true);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
