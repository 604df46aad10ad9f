import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { BIN_ENV, CLI, NODE_FLAGS, binLaunch } from '../../bench/sync-rig.js';

test('the bench runs leftsync with the environment and node flags of the bin\'s shebang', async () => {
  const shebang = (await readFile(CLI, 'utf8')).split('\n', 1)[0]!;
  const { env, nodeFlags } = binLaunch(shebang);
  assert.ok(nodeFlags.includes('--heap-growing-percent=50') && nodeFlags.includes('--max-semi-space-size=1'), shebang);
  assert.ok(nodeFlags.includes('--no-concurrent-array-buffer-sweeping') && nodeFlags.includes('--expose-gc'), shebang);
  assert.equal(env.MALLOC_ARENA_MAX, '2', shebang);
  assert.deepEqual(NODE_FLAGS.slice(0, nodeFlags.length), nodeFlags);
  assert.deepEqual(BIN_ENV, env);
});

test('the shebang\'s command line runs the bin', { skip: process.platform !== 'linux' ? 'the shebang is read by /usr/bin/env -S as on Linux; other systems split it otherwise' : false }, async () => {
  const shebang = (await readFile(CLI, 'utf8')).split('\n', 1)[0]!;
  // What the kernel does with the shebang: env gets the rest of the line as one argument, then the script.
  const run = spawnSync('/usr/bin/env', [shebang.replace(/^#!\/usr\/bin\/env /, ''), CLI, '--version'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /\d+\.\d+\.\d+/);
});

test('a shebang of another shape is refused, not misread', () => {
  assert.throws(() => binLaunch('#!/usr/bin/node'), /unexpected shebang/);
  assert.throws(() => binLaunch('#!/usr/bin/env -S FOO node'), /unexpected shebang word FOO/);
  assert.deepEqual(binLaunch('#!/usr/bin/env -S A=1 node --x'), { env: { A: '1' }, nodeFlags: ['--x'] });
});
