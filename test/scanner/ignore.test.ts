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
