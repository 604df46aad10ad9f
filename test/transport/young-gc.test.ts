import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { COLLECT_EVERY_BYTES, YoungCollector } from '../../src/transport/young-gc.js';

test('a collection follows every MiB received, counted across frames of any size', () => {
  let collections = 0;
  const collector = new YoungCollector(() => collections++);
  for (let i = 0; i < 40; i++) collector.received(64 * 1024); // 2.5 MiB
  assert.equal(collections, 2);
  collector.received(COLLECT_EVERY_BYTES / 2 - 1);
  assert.equal(collections, 2, 'a byte short of the third MiB');
  collector.received(1);
  assert.equal(collections, 3);
  collector.received(10 * COLLECT_EVERY_BYTES);
  assert.equal(collections, 4, 'one large frame: one collection');
});

test('without an exposed gc() nothing is collected and nothing fails', () => {
  const collector = new YoungCollector(null);
  for (let i = 0; i < 100; i++) collector.received(COLLECT_EVERY_BYTES);
});

test("node's gc() is found and runs a young-generation collection under --expose-gc, and is absent without it", () => {
  const module = new URL('../../src/transport/young-gc.js', import.meta.url).href;
  const script = `const { exposedYoungGc } = await import(${JSON.stringify(module)});
const collect = exposedYoungGc();
if (collect !== null) collect();
console.log(collect === null ? 'absent' : 'collected');`;
  const run = (flags: string[]) => spawnSync(process.execPath, [...flags, '--trace-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const exposed = run(['--expose-gc']);
  assert.equal(exposed.status, 0, exposed.stderr);
  assert.match(exposed.stdout, /collected/);
  // --trace-gc names the collection and why: a scavenge asked for by gc() ("testing").
  assert.match(exposed.stdout, /Scavenge[^\n]*testing/);
  const plain = run([]);
  assert.equal(plain.status, 0, plain.stderr);
  assert.match(plain.stdout, /absent/);
});
