/**
 * npm run demo — leftsync in one minute, on this machine only: two peers on
 * 127.0.0.1 in a temporary folder, a 20 MiB random file put into A's share and
 * waited for at B (SHA-256 compared), then 1 KiB overwritten in its middle and
 * waited for again, printing how many bytes the edit moved (B's transfer.done
 * bytesReceived). Both peers are then stopped with SIGTERM (each must exit 0)
 * and the folder removed. Exit 1 if anything fails, with both peers stopped.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MiB, overwriteAt, removeTree, writeRandomFile } from './pair.js';
import { stopAll } from './processes.js';
import { LeftsyncNode, sha256File, type LogEvent } from './sync-rig.js';
import { freePort } from '../test/helpers/ports.js';

const FILE = 'demo.bin';
const SIZE = 20 * MiB;
const EDIT = 1024;
const WAIT_MS = 120_000;

function say(line: string): void {
  process.stdout.write(line + '\n');
}

function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1)} MiB`;
}

/** B's transfer.done of the file, after event number `from`; prints what it cost since `startedAt` (performance.now()). */
async function arrival(b: LeftsyncNode, from: number, startedAt: number, source: string, copy: string, what: string): Promise<LogEvent> {
  const done = await b.waitFor((e) => e.event === 'transfer.done' && e.path === FILE, WAIT_MS, `transfer.done of ${FILE}`, from);
  const same = (await sha256File(source)) === (await sha256File(copy));
  if (!same) throw new Error(`B's ${FILE} differs from A's after ${what}`);
  const received = Number(done.bytesReceived);
  say(
    `  B has it after ${Math.round(done.seenAt - startedAt)} ms: ${received} bytes received (${mib(received)}), ` +
      `${done.chunksFetched} chunks fetched, ${done.chunksReused} reused; SHA-256 matches`,
  );
  return done;
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'leftsync-demo-'));
  const secret = randomBytes(16).toString('hex');
  const [portA, portB] = [await freePort(), await freePort()];
  const shareA = join(root, 'a', 'share');
  const shareB = join(root, 'b', 'share');
  await mkdir(join(root, 'a'));
  await mkdir(join(root, 'b'));
  say(`leftsync demo: peer A on 127.0.0.1:${portA}, peer B on 127.0.0.1:${portB}, in ${root}`);
  const a = new LeftsyncNode('A', { dir: shareA, port: portA, peerPorts: [portB], secret });
  const b = new LeftsyncNode('B', { dir: shareB, port: portB, peerPorts: [portA], secret });
  try {
    await Promise.all([a, b].map((node) => node.waitFor((e) => e.event === 'session.start', 30_000, 'a link to the other peer')));
    say('  linked (TLS, shared secret)');

    // Written beside the share, then renamed in: the file appears whole, as a finished copy does.
    const staged = join(root, FILE);
    await writeRandomFile(staged, SIZE);
    const from = b.events.length;
    const placedAt = performance.now();
    await rename(staged, join(shareA, FILE));
    say(`A <- ${FILE}: ${mib(SIZE)} of random bytes`);
    await arrival(b, from, placedAt, join(shareA, FILE), join(shareB, FILE), 'the first copy');

    const edited = b.events.length;
    const editedAt = performance.now();
    await overwriteAt(join(shareA, FILE), Math.floor(SIZE / 2), randomBytes(EDIT));
    say(`A: ${EDIT} bytes overwritten in the middle of ${FILE}`);
    const done = await arrival(b, edited, editedAt, join(shareA, FILE), join(shareB, FILE), 'the edit');
    say(`the edit moved ${done.bytesReceived} bytes for a ${mib(SIZE)} file: only the chunks around it`);

    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
    for (const node of [a, b]) {
      if (node.exitCode !== 0) throw new Error(`peer ${node.name} exited with ${node.exitCode} after SIGTERM, not 0`);
    }
    say('both peers stopped cleanly (SIGTERM, exit 0)');
  } finally {
    await stopAll();
    await removeTree(root);
  }
  say(`removed ${root}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
