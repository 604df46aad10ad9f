/**
 * A puller and a supplier joined over createMemoryPair, with hooks to watch and
 * tamper with the frames in between, and the applier that places what the
 * puller verified. Two peers' folders and indexes come from the session test harness.
 * Also the supplier alone, for tests that play its link themselves.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import type { Frame } from '../../src/protocol/messages.js';
import type { IndexEntry } from '../../src/model/entries.js';
import { createLogger } from '../../src/log.js';
import { Applier } from '../../src/peer/applier.js';
import type { ApplyOutcome } from '../../src/peer/apply-types.js';
import { Puller, type PullerOptions } from '../../src/transfer/puller.js';
import { StatsCounter } from '../../src/transfer/stats.js';
import { Supplier, type SupplierOptions } from '../../src/transfer/supplier.js';
import { PeerEvents } from '../../src/status/peer-events.js';
import { copyFrame, createMemoryPair } from '../../src/transport/memory.js';
import type { PeerConnection } from '../../src/transport/connection.js';
import { cleanup, createPeer, makeTempDir, type TestPeer } from '../peer/harness.js';

export interface Rig {
  puller: Puller;
  /** Applies a source entry at the destination (pull, then place and record). */
  apply(entry: IndexEntry): Promise<ApplyOutcome>;
  /** Applies source entries of small files as one batch (Applier.applyBatch). */
  applyBatch(entries: IndexEntry[]): Promise<(ApplyOutcome | 'failed' | 'paused')[]>;
  pullerStats: StatsCounter;
  supplierStats: StatsCounter;
  /** The puller's link (closing it fails outstanding requests). */
  conn: PeerConnection;
  /** Offsets of every chunk the supplier was asked for, in arrival order. */
  requestedOffsets: number[];
  /** ChunkRequests the supplier was sent (each may name many chunks). */
  chunkRequests: number;
  /** Most chunks asked for and not yet answered at once, seen from the supplier. */
  maxInFlight: number;
  /** TreeRequests the supplier was sent. */
  treeRequests: number;
  /** Node hashes those requests asked for. */
  treeNodesAsked: number;
}

export interface RigOptions extends Partial<Pick<PullerOptions, 'windowChunks' | 'windowBytes' | 'requestBytes' | 'maxChunkTries'>> {
  /** Sees every reply frame the supplier sends; returns the frame to deliver (or a changed one). */
  tamper?: (frame: Frame) => Frame | Promise<Frame>;
}

export function createRig(src: TestPeer, dst: TestPeer, options: RigOptions = {}): Rig {
  const [toSrc, toDst] = createMemoryPair(dst.id, src.id);
  const log = createLogger('test-rig');
  const pullerStats = new StatsCounter();
  const supplierStats = new StatsCounter();
  let inFlight = 0;
  const rig: Rig = {
    puller: undefined as unknown as Puller,
    apply: (entry) => applier.apply(entry),
    applyBatch: (entries) => applier.applyBatch(entries),
    pullerStats,
    supplierStats,
    conn: toSrc,
    requestedOffsets: [],
    chunkRequests: 0,
    maxInFlight: 0,
    treeRequests: 0,
    treeNodesAsked: 0,
  };
  const tamper = options.tamper ?? ((f: Frame) => f);
  const supplier = supplierFor(src, {
    stats: supplierStats,
    log,
    reading: toDst,
    send: async (frame) => {
      if (frame.chunkReply) inFlight--;
      await toDst.send(await tamper(frame));
    },
  });
  toDst.onFrame((frame) => {
    if (frame.treeRequest) {
      rig.treeRequests++;
      rig.treeNodesAsked += frame.treeRequest.nodes.length;
      supplier.answerTree(frame.treeRequest).catch(() => undefined);
    }
    if (frame.chunkRequest) {
      rig.chunkRequests++;
      inFlight += frame.chunkRequest.wants.length;
      rig.maxInFlight = Math.max(rig.maxInFlight, inFlight);
      for (const want of frame.chunkRequest.wants) rig.requestedOffsets.push(want.offset);
      supplier.answerChunk(frame.chunkRequest).catch(() => undefined);
    }
  });
  const dstEvents = new PeerEvents(dst.events, src.id);
  rig.puller = new Puller({
    index: dst.index,
    shareDir: dst.shareDir,
    stateDir: dst.stateDir,
    peerId: src.id,
    send: (frame) => toSrc.send(frame),
    stats: pullerStats,
    events: dstEvents,
    log,
    windowChunks: options.windowChunks,
    windowBytes: options.windowBytes,
    requestBytes: options.requestBytes,
    maxChunkTries: options.maxChunkTries,
  });
  const applier = new Applier({
    index: dst.index,
    remotePeerId: src.id,
    shareDir: dst.shareDir,
    puller: rig.puller,
    events: dstEvents,
    rescan: (paths) => dst.scan(paths),
    scanLock: dst.scanLock,
    share: dst.share,
    disk: dst.disk,
    log,
  });
  toSrc.onFrame((frame) => {
    const reply = frame.treeReply ?? frame.chunkReply;
    if (reply) rig.puller.onReply(reply);
  });
  toSrc.onClose((reason) => rig.puller.close(reason));
  return rig;
}

/** A temp root with two peers: `src` supplies, `dst` pulls. */
export async function setup(name: string): Promise<{ root: string; src: TestPeer; dst: TestPeer }> {
  const root = await makeTempDir(name);
  return { root, src: await createPeer(root, 'src'), dst: await createPeer(root, 'dst') };
}

/** setup(name), with both peers closed and the root removed once the test `t` ends, pass or fail. */
export async function setupForTest(t: TestContext, name: string): Promise<{ root: string; src: TestPeer; dst: TestPeer }> {
  const peers = await setup(name);
  t.after(() => cleanup(peers.root, [peers.src, peers.dst]));
  return peers;
}

/**
 * A Supplier serving `peer`'s index and share over a link the test plays: `send`
 * gets every reply, `reading` is told to pause and resume. Fresh stats and a test
 * logger unless given.
 */
export function supplierFor(
  peer: TestPeer,
  link: Pick<SupplierOptions, 'send' | 'reading'> & Partial<Omit<SupplierOptions, 'index' | 'shareDir' | 'stateDir'>>,
): Supplier {
  return new Supplier({
    index: peer.index,
    shareDir: peer.shareDir,
    stateDir: peer.stateDir,
    stats: new StatsCounter(),
    log: createLogger('test-supplier'),
    ...link,
  });
}

/**
 * A supplier whose replies are kept in `sent` and whose pauses and resumes of
 * reading are counted. With `blocked`, a send never completes until its release
 * (in `releases`, in send order) is called, as over a link whose window stays full.
 */
export function recordingSupplier(peer: TestPeer, { blocked = false } = {}) {
  const sent: Frame[] = [];
  const releases: Array<() => void> = [];
  const reading = { pauses: 0, resumes: 0, pauseReading() { this.pauses++; }, resumeReading() { this.resumes++; } };
  const supplier = supplierFor(peer, {
    reading,
    send: (frame) => {
      // Copied as a socket would: the supplier reuses its read buffers once send() returns.
      sent.push(copyFrame(frame));
      return blocked ? new Promise<void>((release) => releases.push(release)) : Promise.resolve();
    },
  });
  return { supplier, sent, releases, reading };
}

/** Writes a file into a peer's share and scans it; returns its index entry. */
export async function putFile(peer: TestPeer, rel: string, data: Buffer) {
  await writeFile(path.join(peer.shareDir, rel), data);
  await peer.scan([rel]);
  return peer.index.get(rel)!;
}
