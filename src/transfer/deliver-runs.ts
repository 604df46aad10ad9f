/**
 * From the replies of one chunk request to disk writes: the verified chunks,
 * contiguous ones as one run.
 */
import type { StoredChunk } from '../model/entries.js';
import type { Fetched, Want } from './chunk-fetch.js';
import { VersionGone } from './tree-fetch.js';

/**
 * Hands the verified chunks of one request to `deliver`, contiguous ones as one
 * run; a chunk gone or failed fails the file (after the runs before it landed).
 */
export async function deliverRuns(
  pack: Want[],
  fetched: Fetched[],
  deliver: (run: StoredChunk[], parts: Buffer[], wireLength: number) => Promise<void>,
): Promise<void> {
  let run: StoredChunk[] = [];
  let parts: Buffer[] = [];
  let wireLength = 0;
  const flush = async (): Promise<void> => {
    if (run.length > 0) await deliver(run, parts, wireLength);
    run = [];
    parts = [];
    wireLength = 0;
  };
  for (let k = 0; k < pack.length; k++) {
    const { chunk } = pack[k]!;
    const result = fetched[k]!;
    if (result.outcome !== 'ok') {
      await flush();
      throw result.outcome === 'gone' ? new VersionGone() : result.error;
    }
    const previous = run[run.length - 1];
    if (previous !== undefined && previous.offset + previous.length !== chunk.offset) await flush();
    run.push(chunk);
    parts.push(result.data);
    wireLength += result.wireLength;
  }
  await flush();
}
