/**
 * Real leftsync sync nodes for end-to-end tests, on top of node-process.ts:
 * `node dist/src/cli/main.js --dir D --port P --ip 127.0.0.1:Q ...` with short
 * settle/rescan/reconnect times so tests run quickly, plus what tests measure
 * (peak RSS from /proc, the byte counters from the log) and file writers.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { startNode, tempDir, type LogEvent, type NodeProcess, type StartOptions } from './node-process.js';
import { PortRange } from './ports.js';

export const MiB = 1024 * 1024;
export const SECRET = 'e2e sync secret';

/** Quick timings: changes are picked up within ~100 ms, a full rescan every 2 s, fast reconnects, stats every 200 ms. */
export const QUICK = [
  '--settle', '100',
  '--rescan-interval', '2000',
  '--reconnect-max', '300',
  '--ping-interval', '200',
  '--ping-timeout', '3000',
  '--handshake-timeout', '3000',
  '--stats-interval', '200',
];

export { PortRange };

/** A fresh share folder (created) in its own temp dir. */
export function newShare(): string {
  const dir = path.join(tempDir('leftsync-e2e-'), 'share');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Starts a sync node on 127.0.0.1:port that dials the given peer ports. */
export function startSyncNode(dir: string, port: number, peerPorts: number[], extra: string[] = [], options?: StartOptions): NodeProcess {
  const ip = peerPorts.map((p) => `127.0.0.1:${p}`).join(',');
  return startNode(dir, ['--port', String(port), '--listen', '127.0.0.1', '--secret', SECRET, ...(ip ? ['--ip', ip] : []), ...QUICK, ...extra], options);
}

/** Two fresh shares and a port for each, nothing started yet. */
export interface SharePair {
  dirA: string;
  dirB: string;
  portA: number;
  portB: number;
}

export function newSharePair(ports: PortRange): SharePair {
  return { dirA: newShare(), dirB: newShare(), portA: ports.take(), portB: ports.take() };
}

/** Starts a node on each share, each dialing the other, and waits until both are linked. */
export async function startLinkedPair(pair: SharePair): Promise<{ a: NodeProcess; b: NodeProcess }> {
  const a = startSyncNode(pair.dirA, pair.portA, [pair.portB]);
  const b = startSyncNode(pair.dirB, pair.portB, [pair.portA]);
  await Promise.all([whenLinked(a), whenLinked(b)]);
  return { a, b };
}

/** Waits until the node has started and is linked to `links` peers. */
export async function whenLinked(node: NodeProcess, links = 1, timeoutMs = 30_000): Promise<void> {
  await node.waitForEvent('node.started', {}, timeoutMs);
  const connected = new Set<string>();
  await node.waitForLog((e) => {
    if (e.event === 'session.start') connected.add(String(e.peer));
    return connected.size >= links;
  }, timeoutMs);
}

/** A field of /proc/PID/status in bytes (VmHWM is the peak resident set, VmRSS the current one). */
export async function procStatusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

/** transfer.done events of one path, this incarnation of the process. */
export function transfersDone(node: NodeProcess, relPath: string): LogEvent[] {
  return node.events.filter((e) => e.event === 'transfer.done' && e.path === relPath);
}

/** The largest raw byte count received on any link so far (transfer.stats lines). */
export function rawBytesReceived(node: NodeProcess): number {
  let most = 0;
  for (const e of node.events) {
    if (e.event === 'transfer.stats') most = Math.max(most, Number(e.rawBytesReceived));
  }
  return most;
}

/**
 * Bytes written so far into partial downloads (share/.leftsync/tmp): the temp
 * files are sized up front and filled chunk by chunk, so their allocated blocks
 * show the progress of a transfer of incompressible data, however fast it is.
 */
export async function partialBytesWritten(shareDir: string): Promise<number> {
  const tmp = path.join(shareDir, '.leftsync', 'tmp');
  let total = 0;
  for (const name of await readdir(tmp).catch(() => [] as string[])) {
    const stats = await stat(path.join(tmp, name)).catch(() => null);
    if (stats?.isFile()) total += stats.blocks * 512;
  }
  return total;
}

/** Writes `size` random bytes, 1 MiB at a time. */
export async function writeRandomFile(file: string, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    for (let offset = 0; offset < size; offset += MiB) await handle.write(randomBytes(Math.min(MiB, size - offset)));
  } finally {
    await handle.close();
  }
}

/** `head` random bytes then zeros up to `size`, made sparse and fast (write + ftruncate). */
export async function writeSparseFile(file: string, head: number, size: number): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.write(randomBytes(head));
    await handle.truncate(size);
  } finally {
    await handle.close();
  }
}

/** Overwrites bytes in place at `offset` (same size, same inode). */
export async function overwriteAt(file: string, offset: number, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}
