/**
 * The hashing worker (worker_threads) of HashPool: SHA-256 of chunks whose
 * boundaries the main thread found. Each message is one slice of one stream
 * and the chunk ends within it; a chunk that began in an earlier slice of the
 * same stream is continued from its running hash. The slice's buffer is
 * transferred back with the hashes, so the main thread reads into it again.
 */
import { parentPort } from 'node:worker_threads';
import { ChunkHash } from './zeros.js';

export interface HashJob {
  stream: number;
  buffer: ArrayBuffer;
  length: number;
  /** Ends of chunks within the slice (ascending, relative to its start). */
  cuts: number[];
  /** The stream ends with this slice: its last cut closes the last chunk. */
  last: boolean;
}

export interface HashResult {
  stream: number;
  buffer: ArrayBuffer;
  /** 32 bytes per cut, in order. */
  hashes: ArrayBuffer;
}

const open = new Map<number, ChunkHash>();

parentPort!.on('message', (job: HashJob) => {
  const view = Buffer.from(job.buffer, 0, job.length);
  const hashes = Buffer.allocUnsafeSlow(32 * job.cuts.length);
  let pos = 0;
  job.cuts.forEach((cut, i) => {
    const bytes = view.subarray(pos, cut);
    const begun = open.get(job.stream);
    open.delete(job.stream);
    (begun ?? new ChunkHash()).update(bytes).digest().copy(hashes, 32 * i);
    pos = cut;
  });
  if (pos < job.length) {
    const hash = open.get(job.stream) ?? new ChunkHash();
    hash.update(view.subarray(pos));
    open.set(job.stream, hash);
  }
  if (job.last) open.delete(job.stream);
  const result: HashResult = { stream: job.stream, buffer: job.buffer, hashes: hashes.buffer as ArrayBuffer };
  parentPort!.postMessage(result, [job.buffer, result.hashes]);
});
