import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { CLI, NODE_FLAGS } from '../../bench/sync-rig.js';

test('the bench runs leftsync with the node flags of the bin\'s shebang', async () => {
  const shebang = (await readFile(CLI, 'utf8')).split('\n', 1)[0]!;
  const flags = shebang.replace(/^#!\/usr\/bin\/env -S node\s*/, '').split(/\s+/).filter((f) => f !== '');
  assert.ok(flags.includes('--heap-growing-percent=50') && flags.includes('--max-semi-space-size=1'), shebang);
  assert.deepEqual(NODE_FLAGS.slice(0, flags.length), flags);
});
