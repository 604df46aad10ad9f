/** `leftsync chunks FILE`: a file's chunk signature, as a table or JSON. */
import { chunkerParams } from '../chunker/params.js';
import { signFile } from './sign-file.js';
import { type ChunkerParams, type FileSignature } from '../chunker/types.js';

export interface ChunksReport {
  file: string;
  params: ChunkerParams;
  size: number;
  digest: string;
  chunks: { offset: number; length: number; hash: string }[];
  totals: { count: number; minLength: number; avgLength: number; maxLength: number };
}

export function chunksReport(file: string, params: ChunkerParams, sig: FileSignature): ChunksReport {
  const lengths = sig.chunks.map((c) => c.length);
  return {
    file,
    params,
    size: sig.size,
    digest: sig.digest.toString('hex'),
    chunks: sig.chunks.map((c) => ({ offset: c.offset, length: c.length, hash: c.hash.toString('hex') })),
    totals: {
      count: lengths.length,
      minLength: lengths.length ? Math.min(...lengths) : 0,
      avgLength: lengths.length ? Math.round(sig.size / lengths.length) : 0,
      maxLength: lengths.length ? Math.max(...lengths) : 0,
    },
  };
}

export function formatParams(p: ChunkerParams): string {
  return `${p.engine} (${p.hash}, min ${p.minSize}, avg ${p.avgSize}, max ${p.maxSize})`;
}

function formatText(r: ChunksReport): string {
  const lines = [
    `file    ${r.file}`,
    `engine  ${formatParams(r.params)}`,
    `size    ${r.size}`,
    `digest  ${r.digest}`,
    '',
    `${'offset'.padStart(12)} ${'length'.padStart(8)}  sha256`,
    ...r.chunks.map((c) => `${String(c.offset).padStart(12)} ${String(c.length).padStart(8)}  ${c.hash}`),
    '',
    `${r.totals.count} chunks, length min ${r.totals.minLength} / avg ${r.totals.avgLength} / max ${r.totals.maxLength}`,
  ];
  return lines.join('\n') + '\n';
}

export async function runChunks(file: string, options: { engine?: string; json?: boolean }): Promise<void> {
  const params = chunkerParams(options.engine);
  const report = chunksReport(file, params, await signFile(file, params));
  process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatText(report));
}
