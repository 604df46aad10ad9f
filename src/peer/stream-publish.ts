/**
 * Streaming sync, the sender's half: while the scanner hashes a large file,
 * its chunks are published to every linked peer as GrowingFile frames (in
 * batches), so a receiver starts fetching long before the file's index entry
 * exists. A stream ends 'done' when the scanner records the entry (which is
 * then announced as usual: the entry alone decides what the file is) or
 * 'abandoned' when the file changed or vanished under the hash.
 *
 * A link that comes up while a stream runs is sent the list so far first. At
 * most MAX_STREAMS files stream at once; the supplier serves chunk requests of
 * these paths only (isStreaming), each chunk hashed before it leaves.
 */
import type { StoredChunk } from '../model/entries.js';
import type { Logger } from '../log.js';
import { wireBytes } from '../protocol/entries.js';
import { MAX_STREAM_CHUNKS_PER_FRAME } from '../protocol/limits.js';
import type { Frame } from '../protocol/messages.js';
import type { HashStream, HashStreams } from '../scanner/scan-types.js';

/** Files at least this large stream while hashed (a smaller one is hashed before a peer could start anyway). */
export const STREAM_MIN_BYTES = 64 * 1024 * 1024;
/** Files streaming at once (the supplier's registry of paths it serves unindexed). */
export const MAX_STREAMS = 4;
/** Chunks that trigger a batch at once (~16 MiB of file at the average chunk size). */
const BATCH_CHUNKS = 256;
/** Longest a hashed chunk waits for its batch. */
const BATCH_MS = 50;

export interface StreamPublisherOptions {
  /** Smallest file that streams (default STREAM_MIN_BYTES; tests lower it). */
  minBytes?: number;
  /**
   * Test hook: every hashed slice (1 MiB) waits this long before the hasher
   * reads on, so a test can watch a list grow. 0 (the default) in real use.
   */
  paceMs?: number;
  log: Logger;
}

/** Sends one frame to one peer; errors are the link's business. */
export type StreamSend = (frame: Frame) => void;

interface Stream {
  path: string;
  id: number;
  size: number;
  chunks: StoredChunk[];
  /** chunks[0, sent) went to every link. */
  sent: number;
  timer: NodeJS.Timeout | null;
  /** The test hook's chain of waits: slices are released one paceMs after another. */
  paced: Promise<void>;
}

export class StreamPublisher implements HashStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly links = new Set<StreamSend>();
  // Ids of this process never repeat those of an earlier one.
  private nextId = Date.now();
  private readonly minBytes: number;

  constructor(private readonly options: StreamPublisherOptions) {
    this.minBytes = options.minBytes ?? STREAM_MIN_BYTES;
  }

  /** True while `path` is being hashed and published: its chunks may be served before it is indexed. */
  isStreaming(path: string): boolean {
    return this.streams.has(path);
  }

  begin(path: string, size: number): HashStream | undefined {
    if (size < this.minBytes || this.streams.size >= MAX_STREAMS || this.streams.has(path)) return undefined;
    const stream: Stream = { path, id: this.nextId++, size, chunks: [], sent: 0, timer: null, paced: Promise.resolve() };
    this.streams.set(path, stream);
    this.options.log.debug('stream.begin', { path, stream: stream.id, size });
    const paceMs = this.options.paceMs ?? 0;
    return {
      onChunks: (chunks) => {
        if (this.streams.get(path) !== stream) return undefined;
        stream.chunks.push(...chunks);
        if (stream.chunks.length - stream.sent >= BATCH_CHUNKS) this.flush(stream, {});
        else stream.timer ??= setTimeout(() => this.flush(stream, {}), BATCH_MS);
        if (paceMs === 0) return undefined;
        // Chained: the hasher keeps several slices in flight, and each must wait its turn.
        stream.paced = stream.paced.then(() => new Promise<void>((resolve) => setTimeout(resolve, paceMs)));
        return stream.paced;
      },
      end: (recorded) => {
        if (this.streams.get(path) !== stream) return;
        this.streams.delete(path);
        this.flush(stream, recorded ? { done: true } : { abandoned: true });
        this.options.log.debug('stream.end', { path, stream: stream.id, chunks: stream.chunks.length, recorded });
      },
    };
  }

  /** A new link: it is sent every running stream's list so far, then each batch. Returns its detach. */
  attach(send: StreamSend): () => void {
    for (const stream of this.streams.values()) {
      for (const frame of this.frames(stream, 0, stream.sent, {})) send(frame);
    }
    this.links.add(send);
    return () => this.links.delete(send);
  }

  private flush(stream: Stream, end: { done?: boolean; abandoned?: boolean }): void {
    if (stream.timer !== null) clearTimeout(stream.timer);
    stream.timer = null;
    const from = stream.sent;
    stream.sent = stream.chunks.length;
    if (from === stream.sent && end.done !== true && end.abandoned !== true) return;
    const frames = this.frames(stream, from, stream.sent, end);
    for (const send of this.links) for (const frame of frames) send(frame);
  }

  /** chunks[from, to) in frames of at most MAX_STREAM_CHUNKS_PER_FRAME; `end` goes on the last (an empty one if need be). */
  private frames(stream: Stream, from: number, to: number, end: { done?: boolean; abandoned?: boolean }): Frame[] {
    const frames: Frame[] = [];
    for (let at = from; at < to || frames.length === 0; at += MAX_STREAM_CHUNKS_PER_FRAME) {
      const slice = stream.chunks.slice(at, Math.min(to, at + MAX_STREAM_CHUNKS_PER_FRAME));
      frames.push({
        growingFile: {
          path: stream.path,
          streamId: stream.id,
          size: stream.size,
          chunks: slice.map((c) => ({ offset: c.offset, length: c.length, hash: wireBytes(c.hash) })),
          done: false,
          abandoned: false,
        },
      });
    }
    const last = frames[frames.length - 1]!.growingFile!;
    last.done = end.done === true;
    last.abandoned = end.abandoned === true;
    // A link attached mid-stream with nothing flushed yet gets no empty frame.
    return frames.filter((f) => f.growingFile!.chunks.length > 0 || f.growingFile!.done || f.growingFile!.abandoned);
  }
}
