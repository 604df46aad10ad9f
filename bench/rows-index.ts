/**
 * The index-size rows of `npm run bench` (issue 10): a process starting over
 * 100,000 unchanged files, and a process receiving a peer's announcement of
 * 500,000 entries. The announcing peer is the raw protocol client of the tests
 * (test/helpers/raw-peer.ts): it authenticates like a real peer, answers the
 * IndexRequest with Index frames, and answers every chunk request "version gone",
 * so the receiver reconciles and queues every entry but writes nothing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkerParams } from '../src/chunker/params.js';
import { decodeFrame } from '../src/protocol/frame.js';
import { FileType, type FileEntry, type Frame } from '../src/protocol/messages.js';
import { RawPeer } from '../test/helpers/raw-peer.js';
import { SECRET, goal, rssGoal, settle, type Context, type RowResult, type Side } from './pair.js';
import { TcpTally, procStatusBytes } from './measure.js';
import { LeftsyncNode, waitUntil } from './sync-rig.js';

const SCAN_TIMEOUT_MS = 30 * 60_000;

function met(value: number, ok: (v: number) => boolean): boolean | null {
  return Number.isFinite(value) ? ok(value) : null;
}

/** A lone leftsync process over `dir` (no peers); resolves at its first scan.done and node.started. */
async function startLone(name: string, dir: string, port: number): Promise<{ node: LeftsyncNode; scanSeconds: number; startedSeconds: number; scan: Record<string, unknown> }> {
  const node = new LeftsyncNode(name, { dir, port, peerPorts: [], secret: SECRET });
  let scan: Record<string, unknown> & { seenAt: number };
  let started: { seenAt: number };
  try {
    scan = await node.waitFor((e) => e.event === 'scan.done', SCAN_TIMEOUT_MS, 'scan.done');
    started = await node.waitFor((e) => e.event === 'node.started', SCAN_TIMEOUT_MS, 'node.started');
  } catch (err) {
    await node.stop();
    throw err;
  }
  return { node, scan, scanSeconds: (scan.seenAt - node.spawnedAt) / 1000, startedSeconds: (started.seenAt - node.spawnedAt) / 1000 };
}

/**
 * 100,000 files of 64-191 bytes in 1,000 folders. A first process indexes them
 * (timed too, for the record) and stops; a second one starts over the same,
 * unchanged share: spawn to scan.done, spawn to node.started, its peak RSS.
 */
export async function bigIndex(ctx: Context): Promise<RowResult[]> {
  const count = Math.max(1, Math.round(100_000 * ctx.scale.files));
  const folders = Math.max(1, Math.round(count / 100));
  const dir = join(ctx.work, 'index', 'share');
  for (let i = 0; i < count; i += 256) {
    await Promise.all(
      Array.from({ length: Math.min(256, count - i) }, async (_, k) => {
        const n = i + k;
        const folder = join(dir, `d${String(n % folders).padStart(4, '0')}`);
        await mkdir(folder, { recursive: true });
        await writeFile(join(folder, `f${String(n).padStart(6, '0')}.txt`), randomBytes(64 + (n % 128)));
      }),
    );
  }
  const first = await startLone('I1', dir, ctx.portA);
  await settle([first.node], 1000);
  const firstPeak = first.node.peakRss();
  await first.node.stop();
  const second = await startLone('I2', dir, ctx.portA);
  await settle([second.node], 2000);
  const side: Side = {
    seconds: second.scanSeconds,
    wireBytes: NaN,
    procs: [{ name: 'leftsync (restarted)', peakRss: second.node.peakRss(), cpuSeconds: second.node.cpuSeconds() }],
  };
  await second.node.stop();
  const r: RowResult = {
    name: 'index',
    title: `startup over ${count.toLocaleString('en')} unchanged files`,
    leftsync: side,
    rsync: null,
    leftsyncText: `${second.scanSeconds.toFixed(2)} s to scan.done, ${second.startedSeconds.toFixed(2)} s to node.started`,
    figures: {
      files: count,
      scanDoneSeconds: second.scanSeconds,
      nodeStartedSeconds: second.startedSeconds,
      hashedOnRestart: Number(second.scan.hashed ?? NaN),
      firstIndexSeconds: first.scanSeconds,
      firstIndexPeakRss: firstPeak,
    },
    goals: [rssGoal(side)],
    notes: [`first index of the same files: ${first.scanSeconds.toFixed(1)} s, peak RSS ${(firstPeak / 1e6).toFixed(0)} MB; restart hashed ${String(second.scan.hashed ?? '?')} files`],
  };
  return [r];
}

function entry(i: number, peerId: string): FileEntry {
  return {
    path: `d${String(i % 1000).padStart(4, '0')}/f${String(i).padStart(7, '0')}.bin`,
    type: FileType.FILE,
    size: 4096,
    mtimeMs: 1_700_000_000_000 + i,
    mode: 0o644,
    version: [{ peerId, value: i + 1 }],
    deleted: false,
    digest: createHash('sha256').update(`entry ${i}`).digest(),
    sequence: i + 1,
    symlinkTarget: '',
    modifiedBy: peerId,
  };
}

/**
 * A raw peer announces 500,000 file entries (Index frames of 5,000) to a lone
 * leftsync process; peak RSS of that process from the first frame until it has
 * reconciled them (session.index_received, then 2 s without a log line, at most
 * 2 minutes after the last frame; the run is bounded either way).
 */
export async function announce(ctx: Context): Promise<RowResult[]> {
  const count = Math.max(1, Math.round(500_000 * ctx.scale.files));
  const batch = 5000;
  const peerId = 'bench-announcer';
  const dir = join(ctx.work, 'announce', 'share');
  await mkdir(dir, { recursive: true });
  const node = new LeftsyncNode('R', { dir, port: ctx.portB, peerPorts: [], secret: SECRET });
  let raw: RawPeer | null = null;
  try {
    await node.waitFor((e) => e.event === 'node.started', 60_000, 'node.started');
    raw = await RawPeer.connect(ctx.portB);
    const peer = raw;
    await peer.authenticate(Buffer.from(SECRET), peerId, chunkerParams());
    // Frames that came with the handshake are still in the raw peer's list; later ones are read below.
    let indexRequested = peer.frames.some((f) => f.indexRequest !== undefined);
    let requestsAnswered = 0;
    peer.ws.on('message', (data: Buffer) => {
      let frame: Frame;
      try {
        frame = decodeFrame(data, { maxBytes: 8 * 1024 * 1024 });
      } catch {
        return;
      }
      peer.frames.length = 0; // the raw peer keeps every frame; the bench reads them here
      if (frame.indexRequest) indexRequested = true;
      else if (frame.chunkRequest) {
        const { requestId, wants } = frame.chunkRequest;
        requestsAnswered += wants.length;
        wants.forEach((want, index) => peer.send({ chunkReply: { requestId, index, hash: want.hash, compressed: false, payload: new Uint8Array(0), errorCode: 'LS_VERSION_GONE' } }));
      } else if (frame.treeRequest) {
        requestsAnswered++;
        peer.send({ treeReply: { requestId: frame.treeRequest.requestId, nodes: [], errorCode: 'LS_VERSION_GONE' } });
      }
    });
    await waitUntil(() => indexRequested, 30_000, 'the IndexRequest');
    const tally = new TcpTally([ctx.portB]);
    await tally.begin();
    node.resetPeak();
    const cpuBefore = node.cpuSeconds();
    const started = performance.now();
    const from = node.events.length;
    for (let i = 0; i < count; i += batch) {
      const entries = Array.from({ length: Math.min(batch, count - i) }, (_, k) => entry(i + k, peerId));
      peer.send({ index: { indexId: 'bench-announcer-index', entries, last: i + batch >= count } });
      // Flow control: leave the receiver at most a few frames to read at once.
      await waitUntil(() => peer.ws.bufferedAmount < 2 * 1024 * 1024 || peer.isClosed, 120_000, 'the receiver to read the Index', 5);
      if (peer.isClosed) throw new Error('the receiver closed the link during the announcement');
    }
    const sentSeconds = (performance.now() - started) / 1000;
    const received = await node.waitFor((e) => e.event === 'session.index_received', 10 * 60_000, 'session.index_received', from);
    const receivedSeconds = (received.seenAt - started) / 1000;
    const peakAtReceived = node.peakRss();
    let bounded: NodeJS.Timeout | undefined;
    // settle() gives up after 120 s too: a receiver still busy then is measured, not an error.
    await Promise.race([settle([node], 2000).catch(() => undefined), new Promise((resolve) => (bounded = setTimeout(resolve, 120_000)))]);
    clearTimeout(bounded);
    const settledSeconds = (performance.now() - started) / 1000;
    await tally.end();
    const byEvent = new Map<string, number>();
    for (const e of node.events.slice(from)) byEvent.set(e.event, (byEvent.get(e.event) ?? 0) + 1);
    const busiest = [...byEvent].sort((x, y) => y[1] - x[1]).slice(0, 4).map(([event, n]) => `${event} x${n}`).join(', ');
    const side: Side = {
      seconds: receivedSeconds,
      wireBytes: tally.total(),
      procs: [{ name: 'leftsync (receiver)', peakRss: node.peakRss(), cpuSeconds: node.cpuSeconds() - cpuBefore }],
    };
    return [{
      name: 'announce',
      title: `a peer announces ${count.toLocaleString('en')} entries`,
      leftsync: side,
      rsync: null,
      leftsyncText: `${receivedSeconds.toFixed(2)} s to session.index_received`,
      figures: { entries: count, sentSeconds, receivedSeconds, settledSeconds, peakRssAtIndexReceived: peakAtReceived, requestsAnswered, rssAtEnd: procStatusBytes(node.pid, 'VmRSS') },
      goals: [rssGoal(side)],
      notes: [
        `peak RSS ${(peakAtReceived / 1e6).toFixed(0)} MB when the last Index frame was taken in, ${(side.procs[0]!.peakRss / 1e6).toFixed(0)} MB by the end ` +
          `(${settledSeconds.toFixed(1)} s after the first frame); ${requestsAnswered} chunk requests answered "version gone"; receiver's log: ${busiest}`,
      ],
    }];
  } finally {
    raw?.close();
    await node.stop();
  }
}
