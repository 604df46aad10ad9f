/**
 * Data at the edges, through two real processes: times before 1970 (and after
 * 2038) keep their mtime to the millisecond, and a file name full of terminal
 * escapes and bidi overrides syncs while the text log shows it escaped.
 * Node A logs JSON (so the test can see it link), node B logs text.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { cleanupNodes, removeTempDirs } from '../helpers/node-process.js';
import { PortRange, newSharePair, startSyncNode, whenLinked } from '../helpers/sync-node.js';
import { treeOf, waitForSameTrees, waitUntil } from '../helpers/tree.js';

const ports = new PortRange(24860, 24879);

after(async () => {
  await cleanupNodes();
  removeTempDirs();
});

const TIMES: Record<string, number> = {
  'minus-one-ms.txt': -1,
  '1960.txt': Date.UTC(1960, 5, 15, 12, 30, 45, 678),
  '1969-end.txt': Date.UTC(1969, 11, 31, 23, 59, 59, 999),
  '2200.txt': Date.UTC(2200, 0, 1, 0, 0, 0, 7),
};
const HOSTILE = 'red \x1b[31mname\x1b[0m \u202etxt.exe';
// The characters a terminal would act on; none may reach B's log raw.
const RAW = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

async function mtimeOf(file: string): Promise<number> {
  return Math.round((await stat(file)).mtimeMs);
}

test('pre-1970 mtimes and a hostile file name sync; the text log escapes the name', async () => {
  const { dirA, dirB, portA, portB } = newSharePair(ports);
  for (const [name, ms] of Object.entries(TIMES)) {
    await writeFile(path.join(dirA, name), `written with mtime ${ms}\n`);
    await utimes(path.join(dirA, name), new Date(ms), new Date(ms));
  }
  await writeFile(path.join(dirA, HOSTILE), 'hostile name\n');

  const a = startSyncNode(dirA, portA, [portB]);
  const b = startSyncNode(dirB, portB, [portA], [], { json: false });
  await whenLinked(a);
  await waitForSameTrees([dirA, dirB], { expected: await treeOf(dirA), timeoutMs: 30_000 });
  for (const [name, ms] of Object.entries(TIMES)) {
    assert.equal(await mtimeOf(path.join(dirA, name)), ms, `${name}: the filesystem kept the time`);
    assert.equal(await mtimeOf(path.join(dirB, name)), ms, `${name}: mtime preserved on the receiver`);
  }

  // A pre-1970 time set while running travels in an IndexUpdate, B -> A.
  const live = path.join(dirB, 'live-1960.txt');
  await writeFile(live, 'made on b\n');
  await utimes(live, new Date(TIMES['1960.txt']), new Date(TIMES['1960.txt']));
  await waitUntil('live-1960.txt on A with its mtime', async () => {
    try {
      return (await mtimeOf(path.join(dirA, 'live-1960.txt'))) === TIMES['1960.txt'];
    } catch {
      return false;
    }
  });

  assert.ok(a.running && b.running);
  assert.ok(!a.events.some((e) => e.event === 'session.end' || String(e.code ?? '') === 'LS_PROTO_MALFORMED'), 'no link dropped');
  const escaped = b.textLines.find((line) => line.includes('transfer.done') && line.includes('\\u001b[31mname') && line.includes('\\u202etxt.exe'));
  assert.ok(escaped, `B logs the pulled hostile name escaped:\n${b.textLines.filter((l) => l.includes('transfer')).join('\n')}`);
  for (const line of b.textLines) assert.doesNotMatch(line, RAW, 'no raw control or bidi character in the text log');
});
