/**
 * `leftsync diff OLD NEW`: what a sync from OLD to NEW would send. NEW's missing
 * chunks are really LZ4-compressed with the wire codec, one at a time, so the
 * "after LZ4" figure is what the wire would carry (chunk payloads, no framing);
 * the signature figure is the chunk-tree nodes a peer holding OLD would fetch.
 */
import { chunkerParams } from '../chunker/params.js';
import { diffSignatures, signatureCost } from '../chunker/diff.js';
import { signFile } from './sign-file.js';
import { type ChunkerParams } from '../chunker/types.js';
import { signMeasuringMissing } from './send-estimate.js';
import { formatParams } from './chunks.js';

export interface DiffReport {
  old: string;
  new: string;
  params: ChunkerParams;
  oldSize: number;
  newSize: number;
  oldChunks: number;
  newChunks: number;
  chunksReused: number;
  chunksNew: number;
  bytesReused: number;
  bytesRaw: number;
  bytesLz4: number;
  /** Chunk-tree nodes a peer holding OLD fetches to learn NEW's chunk list, and their bytes. */
  signatureNodes: number;
  signatureBytes: number;
  /** Share of NEW's bytes that need not be sent (1 when NEW is empty). */
  reuseRatio: number;
}

export async function diffFiles(oldFile: string, newFile: string, params: ChunkerParams): Promise<DiffReport> {
  const have = await signFile(oldFile, params);
  const { want, bytesLz4 } = await signMeasuringMissing(have, (onChunk) => signFile(newFile, params, onChunk));
  const diff = diffSignatures(have, want);
  const signature = signatureCost(have, want, params.minSize);
  return {
    old: oldFile,
    new: newFile,
    params,
    oldSize: have.size,
    newSize: want.size,
    oldChunks: have.chunks.length,
    newChunks: want.chunks.length,
    chunksReused: diff.reused.length,
    chunksNew: diff.missing.length,
    bytesReused: want.size - diff.bytesMissing,
    bytesRaw: diff.bytesMissing,
    bytesLz4,
    signatureNodes: signature.nodes,
    signatureBytes: signature.bytes,
    reuseRatio: want.size === 0 ? 1 : (want.size - diff.bytesMissing) / want.size,
  };
}

function formatText(r: DiffReport): string {
  return [
    `old            ${r.old} (${r.oldSize} bytes, ${r.oldChunks} chunks)`,
    `new            ${r.new} (${r.newSize} bytes, ${r.newChunks} chunks)`,
    `engine         ${formatParams(r.params)}`,
    `chunks reused  ${r.chunksReused} (${r.bytesReused} bytes)`,
    `chunks new     ${r.chunksNew}`,
    `bytes raw      ${r.bytesRaw}`,
    `bytes lz4      ${r.bytesLz4}`,
    `signature      ${r.signatureBytes} bytes (${r.signatureNodes} tree nodes)`,
    `reuse ratio    ${(r.reuseRatio * 100).toFixed(2)}%`,
  ].join('\n') + '\n';
}

export async function runDiff(oldFile: string, newFile: string, options: { engine?: string; json?: boolean }): Promise<void> {
  const params = chunkerParams(options.engine);
  const report = await diffFiles(oldFile, newFile, params);
  process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatText(report));
}
